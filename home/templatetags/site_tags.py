"""Template tags of the city site's own templates (``templates/base.html``)."""

from django import template
from django.utils.http import urlencode

from home.models import FeedbackLinkSettings
from palaute_plugin.page_categories import FROM_PARAMETER

register = template.Library()


@register.simple_tag(takes_context=True)
def live_translations(context, page):
    """The page's live translations with their locales, in one query.

    ``page.get_translations.live`` in a template would look up each
    translation's locale separately, on every page of the site. Each translation's
    ``url`` uses the request's site root paths (one cache read per request, or none
    when the page's view brought them already) instead of reading them for itself.
    """
    if page is None or not hasattr(page, "get_translations"):
        return []
    translations = list(page.get_translations().live().select_related("locale"))
    request = context.get("request")
    if translations and request is not None and hasattr(page, "_get_site_root_paths"):
        # Where Wagtail's Page keeps the paths it read (``Page._get_site_root_paths``).
        paths = page._get_site_root_paths(request)
        for translation in translations:
            translation._wagtail_cached_site_root_paths = paths
    return translations


@register.inclusion_tag("includes/feedback_link.html", takes_context=True)
def feedback_link(context):
    """The site-wide "Give feedback" link, carrying the page it is on (``?from=``)."""
    request, page = context.get("request"), context.get("page")
    if request is None:
        return {"url": ""}
    settings = FeedbackLinkSettings.for_request(request)
    target = settings.feedback_page if settings.show_feedback_link else None
    if target is None or not target.live:
        return {"url": ""}
    target = target.localized
    url = target.get_url(request)
    if page is not None and getattr(page, "pk", None) and page.pk != target.pk:
        url = f"{url}?{urlencode({FROM_PARAMETER: page.pk})}"
    return {"url": url}
