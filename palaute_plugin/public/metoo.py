""""Reported already?" and "me too": routes of ``FeedbackPage``.

``nearby_view`` answers the form's hint (JSON); ``metoo_view`` takes an email for
a published open case and sends the confirmation link; ``metoo_confirm_view`` and
``metoo_unsubscribe_view`` show a button for the signed link and act on ``POST``
(a mail scanner opening the link changes nothing).
"""

from django import forms
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from ..conf import palaute_setting
from ..models import FeedbackCategory, current_language
from ..publication import subscriptions
from ..publication.models import FeedbackPublication
from ..publication.nearby import OPEN_STATUSES, nearby_publications
from . import antispam, ratelimit
from .views import TOKEN_MESSAGES, private_response, rate_limited_message

LINK_MESSAGES = {
    "invalid": _("This link is not valid. Check that you copied the whole address from "
                 "the email. Nothing was changed."),
    "expired": _("This link has expired. Nothing was changed. You can say “me too” "
                 "again on the case's page."),
    "used": _("This link has been used already. Nothing was changed."),
}

#: The me-too form's wait (seconds) before it may be sent, at most the site's.
METOO_MIN_SUBMIT_SECONDS = 1


class MeTooForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"), max_length=254,
        help_text=_("We send you a link to confirm, and an email when the case is "
                    "resolved. Your address is not shown to anyone."),
        error_messages={"required": _("Enter your email address."),
                        "invalid": _("Enter an email address like name@example.com.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    website = forms.CharField(
        label=_("Leave this field empty"), required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    @property
    def honeypot_filled(self):
        return bool(self.data.get("website", "").strip())


def subpage_url(page, route, *args):
    return page.url + page.reverse_subpage(route, args=list(args))


def nearby_items(page, found):
    """What the hint and the receipt show of each nearby case."""
    items = []
    for metres, publication in found:
        photos = list(publication.public_photos.all())
        items.append({
            "reference": publication.reference, "title": publication.title,
            "status": str(capfirst(publication.get_shown_status_display())),
            "distance_m": round(metres),
            "affected_count": publication.affected_count,
            "url": subpage_url(page, "published_detail_view", publication.reference),
            "metoo_url": subpage_url(page, "metoo_view", publication.reference),
            "thumbnail": (subpage_url(page, "published_photo_view", photos[0].token, "thumb")
                          if photos else ""),
        })
    return items


def nearby_message(count):
    return ngettext("%(count)s similar report nearby", "%(count)s similar reports nearby",
                    count) % {"count": count}


@ratelimit.with_retry_after
def nearby_view(request, page):
    """``?category=<pk>&lat=<deg>&lon=<deg>``: up to five published open cases nearby."""
    try:
        category_id = int(request.GET["category"])
        latitude, longitude = float(request.GET["lat"]), float(request.GET["lon"])
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValueError("outside the world")
    except (KeyError, ValueError):
        return JsonResponse({"error": "category, lat and lon are needed"}, status=400)
    if ratelimit.suggestions_limited(request):
        # The same budget as the address suggestions: a hint, not a bulk interface.
        return JsonResponse({"count": 0, "message": "", "results": [],
                             "error": "too many requests"}, status=429)
    found = []
    if FeedbackCategory.objects.accepting_feedback().filter(pk=category_id).exists():
        found = nearby_publications(category_id, latitude, longitude)
    items = nearby_items(page, found)
    response = JsonResponse({"count": len(items), "message": nearby_message(len(items)),
                             "results": items})
    # private: the page may have view restrictions (a password, a login)
    response["Cache-Control"] = "private, max-age=60"
    response["Vary"] = "Accept-Language, Cookie"
    return response


def open_publication(reference):
    publication = (FeedbackPublication.objects.public().select_related("category")
                   .filter(reference=reference).first())
    if publication is None:
        raise Http404
    return publication


def metoo_response(request, page, publication, form, status=200, sent=False):
    context = {"page": page, "self": page, "publication": publication, "form": form,
               "sent": sent, "is_open": publication.shown_status in OPEN_STATUSES,
               "link_days": max(1, palaute_setting("METOO_CONFIRM_MAX_AGE_SECONDS") // 86400),
               "case_url": subpage_url(page, "published_detail_view", publication.reference),
               "form_token": antispam.issue_form_token()}
    return TemplateResponse(request, "palaute_plugin/public/metoo.html", context, status=status)


@never_cache
@ratelimit.with_retry_after
def metoo_view(request, page, reference):
    """The "me too" form of one published case; a valid post emails the confirmation."""
    publication = open_publication(reference)
    sent_url = subpage_url(page, "metoo_view", reference) + "?sent=1"
    if request.method != "POST":
        return metoo_response(request, page, publication, MeTooForm(),
                              sent=request.GET.get("sent") == "1")
    form = MeTooForm(request.POST)
    if form.honeypot_filled:
        return redirect(sent_url)  # looks like success to a bot; nothing is sent
    if publication.shown_status not in OPEN_STATUSES:
        form.add_error(None, _("This case is no longer open, so it cannot be followed."))
        return metoo_response(request, page, publication, form, status=400)
    if ratelimit.limited(request):
        form.is_valid()
        form.add_error(None, rate_limited_message(text_kept=False))
        return metoo_response(request, page, publication, form, status=429)
    try:
        # One email field, which the browser fills in: a person sends it within seconds,
        # and a bot gains nothing by it (the address must confirm by its emailed link).
        antispam.check_form_token(request.POST.get("form_token"),
                                  min_seconds=METOO_MIN_SUBMIT_SECONDS)
    except antispam.TokenError as error:
        form.is_valid()
        form.add_error(None, TOKEN_MESSAGES[error.reason])
        return metoo_response(request, page, publication, form, status=400)
    if not form.is_valid():
        return metoo_response(request, page, publication, form, status=400)
    if not (ratelimit.take(request) and ratelimit.take_metoo(request)):
        form.add_error(None, rate_limited_message(text_kept=False))
        return metoo_response(request, page, publication, form, status=429)
    email = form.cleaned_data["email"]
    if ratelimit.take_metoo_email(request, publication, email):
        confirm_base = page.get_full_url(request) + page.reverse_subpage(
            "metoo_confirm_view", args=["TOKEN"])
        subscriptions.request_confirmation(
            publication, email, language=current_language(),
            confirm_url=lambda token: confirm_base.replace("TOKEN", token))
    # The same answer whether or not an email went: nobody learns who asked before.
    return redirect(sent_url)


def link_response(request, page, context, status=200):
    context = {"page": page, "self": page, **context}
    return private_response(TemplateResponse(
        request, "palaute_plugin/public/metoo_link.html", context, status=status))


def link_error(request, page, error):
    return link_response(request, page, {"heading": _("The link cannot be used"),
                                         "message": LINK_MESSAGES[error.reason]}, status=400)


@never_cache
def metoo_confirm_view(request, page, token):
    """``GET``: the case and a confirm button; ``POST``: the subscription starts."""
    try:
        publication, _email, _language, _nonce = subscriptions.read_confirmation(token)
        if request.method != "POST":
            return link_response(request, page, {
                "publication": publication, "heading": _("Confirm “me too”"),
                "message": _("Confirm that this case concerns you too. We will email you "
                             "when it is resolved."),
                "button": _("Confirm")})
        subscription, created = subscriptions.confirm(token)
    except subscriptions.LinkError as error:
        subscription = subscriptions.followed_by_link(token) if error.reason == "used" else None
        if subscription is None:
            return link_error(request, page, error)
        publication, created = subscription.publication, False  # (the link opened again)
    publication.refresh_from_db(fields=["affected_count"])
    message = (_("Thank you. We will email you when the case is resolved.") if created
               else _("You already follow this case. Nothing was changed."))
    return link_response(request, page, {
        "publication": publication, "heading": _("You follow this case"), "message": message,
        "case_url": subpage_url(page, "published_detail_view", publication.reference),
        "unsubscribe_url": subpage_url(page, "metoo_unsubscribe_view",
                                       subscriptions.unsubscribe_token(subscription))})


@never_cache
def metoo_unsubscribe_view(request, page, token):
    """``GET``: a button to stop following; ``POST``: the subscription ends."""
    try:
        subscription = subscriptions.read_unsubscribe(token)
    except subscriptions.LinkError as error:
        return link_error(request, page, error)
    publication = subscription.publication
    if request.method != "POST":
        if not subscription.is_active:
            return link_response(request, page, {
                "publication": publication, "heading": _("You no longer follow this case"),
                "message": _("You had already stopped following this case.")})
        return link_response(request, page, {
            "publication": publication, "heading": _("Stop following this case?"),
            "message": _("You will no longer get emails about this case."),
            "button": _("Stop following")})
    ended = subscriptions.unsubscribe(subscription)
    publication.refresh_from_db(fields=["affected_count"])  # (less one, when it ended)
    message = (_("You will no longer get emails about this case.") if ended
               else _("You had already stopped following this case."))
    return link_response(request, page, {
        "publication": publication, "heading": _("You no longer follow this case"),
        "message": message})

