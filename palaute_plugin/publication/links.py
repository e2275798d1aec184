"""Absolute addresses of a publication's public pages, for emails: on the case's
feedback page in the reader's language when that translation is live."""

from wagtail.models import Locale

from ..models import FeedbackPage


def feedback_page(publication, language):
    """The case's feedback page (or the first live one) in ``language`` if translated."""
    page = publication.feedback.page or FeedbackPage.objects.live().first()
    if page is None:
        return None
    locale = Locale.objects.filter(language_code=language).first()
    translation = page.get_translation_or_none(locale) if locale else None
    if translation is not None and translation.live:
        return translation.specific
    return page.specific


def _url(publication, language, route, args):
    page = feedback_page(publication, language)
    if page is None or not page.get_full_url():
        return ""
    return page.get_full_url() + page.reverse_subpage(route, args=args)


def public_case_url(publication, language):
    return _url(publication, language, "published_detail_view", [publication.reference])


def unsubscribe_url(subscription):
    from .subscriptions import unsubscribe_token

    return _url(subscription.publication, subscription.language, "metoo_unsubscribe_view",
                [unsubscribe_token(subscription)])
