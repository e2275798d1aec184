"""Public views: the form, the receipt and the private status page (routes of FeedbackPage)."""

import dataclasses
from datetime import timedelta

from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_permissions_policy.decorators import permissions_policy_override
from wagtail.models import Site

from .. import actions, log_actions
from ..conf import palaute_setting
from ..geo import NoGeocoder, geocoder
from ..models import Feedback, FeedbackCategory, FeedbackPhoto, current_language
from ..page_categories import FROM_PARAMETER, category_for_page, page_from
from ..photos import pending
from ..photos.images import uploads_digest
from ..photos.pending import PendingPhoto
from ..publication.nearby import nearby_for_case
from . import antispam, ratelimit
from .caching import cached_form_parts, fill, form_cache_key, rendered_once, skeleton, slot
from .forms import FeedbackForm, FollowUpForm
from .imagefiles import PHOTO_SIZES, jpeg_response, photo_response
from .published import FILTER_PARAMS, LIST_PARAMS

TOO_FAST = "too_fast"  # noqa: S105 (a reason, not a password)
TOKEN_MESSAGES = {
    "invalid": _("The form could not be verified. Check your answers and send again."),
    "too_fast": _("The form was sent too quickly. Check your answers and send again."),
    "expired": _(
        "The form had been open for a long time. Your text is kept: check it, attach any "
        "photos again and send."
    ),
}


FIELDS_TEMPLATE = "palaute_plugin/includes/form_fields.html"
TOPIC_TEMPLATE = "palaute_plugin/includes/form_topic.html"


def topic_context(form, categories):
    """What the topic list (``includes/form_topic.html``) shows: the categories decide it."""
    authorities = {c.other_authority_id: c.other_authority for c in categories
                   if c.other_authority_id}
    return {"form": form, "categories": categories,
            "authorities": sorted(authorities.values(), key=lambda a: a.name)}


def has_location_categories(categories):
    return any(c.location_mode != FeedbackCategory.LocationMode.HIDDEN for c in categories)


def render_form_fields(page, form, request=None, page_url=None):
    """The form's fields as HTML, rendered afresh (a posted or preselected form)."""
    categories = form.fields["category"].categories
    if page_url is None:
        page_url = page.get_url(request)
    context = {
        **topic_context(form, categories),
        "page": page,
        "contact_help": page.contact_help,
        "privacy_url": page.get_privacy_url(request),
        "nearby_url": page_url + page.reverse_subpage("nearby_view"),
        "has_location_categories": has_location_categories(categories),
        "place_search_url": place_search_url(page, page_url),
    }
    return render_to_string(FIELDS_TEMPLATE, context)


def place_search_url(page, page_url):
    """Where the address field asks for suggestions; ``None`` without a geocoder."""
    if isinstance(geocoder(), NoGeocoder):
        return None
    return page_url + page.reverse_subpage("place_search_view")


def render_topic(categories):
    """The topic list of an unbound form, and whether any category asks for a place."""
    context = topic_context(FeedbackForm(categories=categories), categories)
    return render_to_string(TOPIC_TEMPLATE, context), has_location_categories(categories)


#: What a page's unbound form shows of the page itself and of the categories: slots of
#: the fields' skeleton (``caching.skeleton``), which is the same for every page.
SKELETON_SLOTS = ("topic_html", "nearby_url", "place_search_url", "privacy_url", "contact_help")
#: Slots the template tests for (``{% if %}``): whether each has a value names the skeleton.
SKELETON_CONDITIONS = ("place_search_url", "privacy_url", "contact_help")


def render_skeleton(has_location, conditions):
    """``includes/form_fields.html`` of an unbound form with slots for the page's and the
    categories' parts: the same in every process for a language and these conditions
    (``SKELETON_CONDITIONS``: whether each of those slots has a value)."""
    context = {name: slot(name) for name in SKELETON_SLOTS}
    context.update({name: None for name, filled in zip(SKELETON_CONDITIONS, conditions,
                                                        strict=True) if not filled})
    context.update({
        "page": None,
        "form": FeedbackForm(categories=()),  # its topic list is a slot
        "topic_html": mark_safe(slot("topic_html")),  # noqa: S308 (a slot's name)
        "has_location_categories": has_location,
    })
    return render_to_string(FIELDS_TEMPLATE, context)


def cached_form_fields(page, request=None):
    """An unbound form's fields, and the page's address: ``(html, page_url)``.

    The topic list comes from the shared cache (one per language and categories
    version), the page's privacy page's address too (one per revision), and Wagtail's
    site root paths (which the page's address needs) where the cache allows, all in one
    round trip (``cached_form_parts``); they are put into the process's skeleton.
    """
    language = current_language()
    by_page = page.privacy_page_id is not None  # its address needs a query
    # The privacy page's address is relative to the site serving the form (Wagtail
    # found it to serve the page: no query).
    site = Site.find_for_request(request) if by_page else None
    page_key = form_cache_key(page, language, site.pk if site else None) if by_page else None
    (topic_html, has_location), privacy_url = cached_form_parts(
        language, render_topic, page_key=page_key,
        page_value=lambda: page.get_privacy_url(request), request=request)
    page_url = page.get_url(request)
    values = {
        "topic_html": topic_html,
        "nearby_url": page_url + page.reverse_subpage("nearby_view"),
        "place_search_url": place_search_url(page, page_url),
        "contact_help": page.contact_help,
        "privacy_url": privacy_url if by_page else page.privacy_url,
    }
    conditions = tuple(bool(values[name]) for name in SKELETON_CONDITIONS)
    parts = skeleton(("form-fields", language, has_location, conditions),
                     lambda: render_skeleton(has_location, conditions))
    return fill(parts, values), page_url


def form_media():
    """The form page's styles and scripts as HTML (``css``, ``js``): the form's media (the
    map, address search) and the page's own, rendered once per process."""

    def render():
        media = FeedbackForm.media_for_page()
        css = format_html('<link rel="stylesheet" href="{}">',
                          static("palaute_plugin/css/palaute.css")) + media["css"].render()
        js = media["js"].render() + format_html(
            '<script src="{}" defer></script><script src="{}" defer></script>'
            '<script src="{}" defer></script>',
            static("palaute_plugin/js/palaute-form.js"),
            static("palaute_plugin/js/nearby-hint.js"),
            static("palaute_plugin/js/character-count.js"))
        return {"css": mark_safe(css), "js": mark_safe(js)}  # noqa: S308 (Media's own HTML)

    return rendered_once(("form-media",), render)


def form_response(request, page, form=None, status=200):
    """The form page; an unbound form's fields come from the cache. The page's address is
    worked out once (the form's action, its list link and its fields' URLs)."""
    if form is None:
        form_html, page_url = cached_form_fields(page, request)
    else:
        page_url = page.get_url(request)
        form_html = mark_safe(render_form_fields(page, form, request, page_url))  # noqa: S308
    token = (form.data.get("form_token") if form is not None and form.is_bound
             else antispam.issue_form_token())
    context = {
        "page": page,
        "self": page,
        "form": form,
        "form_fields": form_html,
        "form_token_input": format_html(
            '<input type="hidden" name="form_token" value="{}">', token),
        "form_media": form_media(),
        "page_url": page_url,
        "published_list_url": page_url + page.reverse_subpage("published_list_view"),
        "from_page": page_from(request),
    }
    return TemplateResponse(request, "palaute_plugin/feedback_page.html", context,
                            status=status)


def rate_limited_message(text_kept=True):
    if text_kept:
        message = _("We have received many messages from your connection in a short time. "
                    "Your text is kept: please send it again later.")
    else:
        message = _("We have received many messages from your connection in a short time. "
                    "Please try again later.")
    phone = palaute_setting("CONTACT_PHONE")
    if phone:
        message = format_lazy("{} {}", message,
                              _("In a hurry? Call %(phone)s.") % {"phone": phone})
    return message


def receipt_redirect(page, token, sent_again=False):
    url = page.url + page.reverse_subpage("receipt_view", args=[token])
    return redirect(url + "?again=1" if sent_again else url)


def normalised_text(text):
    return " ".join(text.split())


def post_digest(form):
    """A keyed digest of what a valid form sends: topic, kind, text, place, contact details,
    the publication choice and the photos' bytes (spacing in the texts aside). Kept in the
    browser's sent cookie (``antispam.remember_sent``), so that the same post is known
    again; a changed photo or a withdrawn consent to publish makes it another."""
    data = form.cleaned_data
    location = data.get("location")
    sent = (data["category"].pk, data["kind"], normalised_text(data["message"]),
            normalised_text(data.get("address") or ""),
            # A pin to about 10 cm; the compact form on ordinary pages has none (nor name,
            # phone or publication choice).
            (round(location[0], 6), round(location[1], 6)) if location else None,
            data["contact_email"], data.get("contact_name", ""), data.get("contact_phone", ""),
            bool(data.get("do_not_publish")),
            uploads_digest([*form.kept_photos, *(data.get("photos") or ())]))
    return salted_hmac("palaute_plugin.sent-post", repr(sent)).hexdigest()[:20]


def sent_before(request, digest, nonce, source_page=None):
    """The case this browser already sent with the same ``digest`` (``post_digest``, taken
    before the photos are stored) within the form's lifetime, or None; asks the database
    only when the digest is one the browser sent.

    A resident who goes Back after sending and sends again gets a fresh form token (the
    form page is not cached), so the token alone does not tell the two posts apart.
    Chromium keeps the chosen photos over Back, so a post with photos can be the same
    too; the same short text at another place (a second broken lamp) is new feedback.
    A post of the same token (a double click) is left to the token's own replay check.
    ``source_page``: only a case sent from that page (a block shows its own receipts only).
    """
    nonces = [sent for sent, sent_digest in antispam.sent_digests(request).items()
              if sent_digest == digest and sent != nonce]
    if not nonces:
        return None
    since = timezone.now() - timedelta(seconds=palaute_setting("FORM_MAX_AGE_SECONDS"))
    cases = Feedback.objects.filter(submission_key__in=nonces, created_at__gte=since)
    if source_page is not None:
        cases = cases.filter(source_page=source_page)
    return (cases.exclude(status=Feedback.Status.REJECTED).only("tracking_token")
            .order_by("-created_at").first())


#: The form may ask for the resident's location ("use my location"); nothing else may.
FORM_PERMISSIONS_POLICY = {"geolocation": ["self"], "camera": [], "microphone": [],
                           "payment": [], "usb": [], "accelerometer": [], "gyroscope": [],
                           "magnetometer": [], "display-capture": []}


@never_cache
@permissions_policy_override(FORM_PERMISSIONS_POLICY)
@ratelimit.with_retry_after
def feedback_form_view(request, page):
    """Show the form; on a valid post create the case and redirect to the receipt."""
    if request.method != "POST":
        return form_response(request, page, preselected_form(request))

    form = FeedbackForm(request.POST, request.FILES)
    if form.honeypot_filled:
        # Looks like success to a bot, redirect and all; nothing is saved or sent.
        return receipt_redirect(page, antispam.issue_decoy_token())
    if ratelimit.limited(request):
        form.is_valid()  # the input is shown back as typed, with any errors
        form.add_error(None, rate_limited_message())
        return reshow_form(request, page, form, status=429)
    token_error = None
    try:
        nonce = antispam.check_form_token(request.POST.get("form_token"))
    except antispam.TokenError as error:
        token_error, nonce = error.reason, None
    valid = form.is_valid()
    # Back and Send again, even at once (the form shown on Back is new: "too fast"): the
    # same feedback once, and its receipt again.
    if valid and token_error in (None, "too_fast"):
        digest = post_digest(form)
        earlier = sent_before(request, digest, nonce)
        if earlier is not None:
            pending.delete(pending.kept_photos(form.photo_batch))
            return receipt_redirect(page, earlier.tracking_token, sent_again=True)
    if valid and token_error is None:
        if not ratelimit.take(request):
            form.add_error(None, rate_limited_message())
            return reshow_form(request, page, form, status=429)
        feedback = save_feedback(request, page, form, nonce)
        if feedback.replayed and not antispam.sent_by_this_browser(request, nonce):
            # Someone else's form token: the earlier receipt is not theirs to see.
            form.add_error(None, _("This form has been sent already. The receipt and the "
                                   "private link were shown to the sender and emailed to "
                                   "them. To send new feedback, reload the page."))
            return reshow_form(request, page, form, status=400)
        response = receipt_redirect(page, feedback.tracking_token)
        antispam.remember_sent(request, response, nonce, digest=digest)
        return response
    if token_error and (valid or token_error != TOO_FAST):
        # "Sent too quickly" beside the fields' own errors (an empty form sent at once)
        # only confused: those errors are what to fix, and the new form's time runs.
        form.add_error(None, TOKEN_MESSAGES[token_error])
    return reshow_form(request, page, form, status=400, keep_time=token_error is None)


def preselected_form(request):
    """Coming from an ordinary page (``?from=<page id>``): its category chosen, or None
    (the cached form)."""
    source_page = page_from(request)
    category = category_for_page(source_page.pk) if source_page else None
    return FeedbackForm(initial={"category": category.pk}) if category else None


def reshow_form(request, page, form, status, keep_time=False):
    """The form again with the resident's input and accepted photos kept, and a fresh
    token; ``keep_time`` (an error in what was typed, not in the token or the rate): with
    the time the form was first shown (``antispam.reissue_form_token``)."""
    form.kept_photo_list = form.keep_accepted_photos()
    form.data = form.data.copy()
    form.data["form_token"] = (antispam.reissue_form_token(request.POST.get("form_token"))
                               if keep_time else antispam.issue_form_token())
    return form_response(request, page, form, status=status)


def save_feedback(request, page, form, nonce):
    # Safe to run again after a lost database connection, even if it had written:
    # the form token makes a repeated post answer with the first case.
    request.palaute_may_run_again = True
    submission = form.submission(language=current_language())
    source_page = page_from(request)
    if source_page is not None:
        submission = dataclasses.replace(submission, source_page=source_page)
    feedback = actions.submit_feedback(submission, page=page, submission_key=nonce)
    pending.delete(pending.kept_photos(form.photo_batch))  # now the case's own photos
    return feedback


def status_photo_view(request, page, token, pk, size):
    """A cleaned photo of the case, for the holder of its private link (the resident who
    sent it); 404 for anything else. Never the raw upload: its location data is gone
    only from the cleaned copies."""
    if size not in PHOTO_SIZES:
        raise Http404
    feedback = get_feedback_by_token(token)
    photo = feedback.photos.filter(pk=pk, state=FeedbackPhoto.State.READY).first()
    return private_response(photo_response(photo, size))


@never_cache
def kept_photo_view(request, page, pk):
    """The thumbnail of a photo kept from an earlier try, for the form that holds its key.

    The signed key is in the query (``?key=``): Wagtail's page paths take no colons.
    """
    batch = pending.unsign_batch(request.GET.get("key"))
    photo = PendingPhoto.objects.filter(pk=pk, batch=batch or "-",
                                        state=PendingPhoto.State.READY).first()
    if photo is None:
        raise Http404
    return private_response(jpeg_response(photo.thumbnail.open("rb")))


def find_feedback_by_token(token):
    return (Feedback.objects.select_related("category", "redirected_to", "duplicate_of")
            .filter(tracking_token=token).exclude(status=Feedback.Status.REJECTED).first())


def get_feedback_by_token(token):
    feedback = find_feedback_by_token(token)
    if feedback is None:
        raise Http404
    return feedback


def private_response(response):
    """Pages reached by a secret link: not cached, not indexed, no referrer leaks.

    ``same-origin`` keeps the secret link out of other sites' logs; ``no-referrer``
    would make browsers post the page's own form with ``Origin: null``, which
    Django's CSRF check refuses.
    """
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


#: The query parameters a route's language links keep: its own, never anything else the
#: address carried (a tracking id, ``?added=1``), which the public list's cached page would
#: show every later visitor.
ROUTE_PARAMETERS = {
    "form_view": (FROM_PARAMETER,),
    "published_list_view": LIST_PARAMS,
    "published_map_view": FILTER_PARAMS,
}


def route_translations(page, request):
    """``(locale, url)`` of the page ``request`` shows (a route of ``page``: the form, a
    receipt, a status page, the public list, a record...) in the page's other languages:
    the same route with the same arguments, and for a ``GET`` the route's own query
    parameters (``ROUTE_PARAMETERS``: the list's filters and page number), so that
    switching the language keeps the visitor where they are.

    The translations are copies of ``page`` (the same routes), and a page's address does
    not need its specific class: one query, with the request's site paths.
    """
    match = getattr(request, "routable_resolver_match", None)
    subpath = "" if match is None else page.reverse_subpage(
        match.url_name, args=match.args, kwargs=match.kwargs)
    kept = ROUTE_PARAMETERS.get(match.url_name if match else "form_view", ())
    query = urlencode([(name, value) for name, value in request.GET.items() if name in kept])
    if query and request.method == "GET":
        subpath = f"{subpath}?{query}"
    return [(translation.locale, translation.get_url(request) + subpath)
            for translation in page.get_translations().live().select_related("locale")]


def receipt_view(request, page, token):
    # A real case first: only a token that names none can be a bot's decoy receipt.
    feedback = find_feedback_by_token(token)
    if feedback is None and antispam.is_decoy_token(token):
        context = {"page": page, "self": page, "feedback": None}
        return private_response(TemplateResponse(request, "palaute_plugin/receipt.html", context))
    if feedback is None:
        raise Http404
    from .metoo import nearby_items  # it imports this module

    context = {"page": page, "self": page, "feedback": feedback,
               "sent_again": request.GET.get("again") == "1",
               "status_url": page.status_url(feedback, request),
               "nearby": nearby_items(page, nearby_for_case(feedback))}
    return private_response(TemplateResponse(request, "palaute_plugin/receipt.html", context))


@ratelimit.with_retry_after
def status_view(request, page, token):
    """The private status page; an open case also takes the resident's follow-up."""
    feedback = get_feedback_by_token(token)
    form, status = FollowUpForm(), 200
    if request.method == "POST" and not feedback.is_open:
        status = 400  # closed meanwhile: the page says so and offers new feedback
    elif request.method == "POST":
        form, status = FollowUpForm(request.POST, request.FILES), 400
        if ratelimit.limited(request):
            form.is_valid()
            form.add_error(None, rate_limited_message())
            status = 429
        elif form.is_valid() and not ratelimit.take(request):
            form.add_error(None, rate_limited_message())
            status = 429
        elif form.is_valid():
            try:
                actions.resident_follow_up(feedback, message=form.cleaned_data["message"],
                                           cleaned_photos=form.cleaned_data["photos"],
                                           submission_key=form.cleaned_data["submission_key"])
            except actions.ActionError as error:
                form.add_error(None, str(error))
            else:
                return redirect(page.url + page.reverse_subpage("status_view", args=[token])
                                + "?added=1")
    history = log_actions.public_history(feedback)
    # The photos sent with the case and its follow-ups, in one query: how many, those
    # that could not be used, and the cleaned ones shown to the resident.
    photos = list(feedback.photos.order_by("created_at", "sort_order", "pk")
                  .only("pk", "feedback_id", "state", "thumbnail", "created_at", "sort_order"))
    shown = [photo for photo in photos if photo.is_ready and photo.thumbnail]
    status_url = page.url + page.reverse_subpage("status_view", args=[token])
    context = {"page": page, "self": page, "feedback": feedback, "history": history,
               "form": form if feedback.is_open else None,
               "added": request.GET.get("added") == "1",
               "sent_photos": len(photos),
               "failed_photos": sum(photo.state == FeedbackPhoto.State.FAILED
                                    for photo in photos),
               "shown_photos": [(f"{status_url}kuvat/{photo.pk}/full/",
                                 f"{status_url}kuvat/{photo.pk}/thumb/") for photo in shown]}
    return private_response(TemplateResponse(request, "palaute_plugin/status.html", context,
                                             status=status))
