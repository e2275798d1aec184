"""``POST requests``: a client's report becomes a case like any other.

The key is checked first (403), then the fields (400), then the key's rate limit
(429, counting only valid posts). The case goes through ``actions.submit_feedback``
with channel ``api``: the usual routing, staff emails and the resident's receipt.
A repeated ``Idempotency-Key`` (or the same payload from the same key within
``REPLAY_WINDOW``) answers the first case instead of making a second.
"""

import hashlib
import json
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage
from wagtail.log_actions import log

from .. import actions, queue
from ..fields import MessageField, MultiplePhotoField, OneLineField, clean_photo_files
from ..models import Feedback, FeedbackPage, current_language
from . import log_actions, params
from .models import ApiKey, ApiSubmission
from .render import ApiError, respond
from .services import service_categories

REPLAY_WINDOW = timedelta(minutes=10)
DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 4000
RATE_GROUP = "palaute:open311-key"
MAX_ATTRIBUTES = 50


class ServiceRequestForm(forms.Form):
    """The fields of ``POST requests``; ``attribute[code]`` values are read separately."""

    service_code = forms.CharField(max_length=60)
    lat = forms.CharField(required=False)
    long = forms.CharField(required=False)
    address_string = OneLineField(max_length=255, required=False)
    description = MessageField(min_length=DESCRIPTION_MIN, max_length=DESCRIPTION_MAX)
    email = forms.EmailField(required=False)
    first_name = OneLineField(max_length=70, required=False)
    last_name = OneLineField(max_length=70, required=False)
    phone = forms.CharField(max_length=50, required=False)
    title = forms.CharField(max_length=120, required=False)
    media_url = forms.URLField(max_length=1000, required=False, assume_scheme="https")
    media = MultiplePhotoField(required=False)

    def clean_service_code(self):
        code = self.cleaned_data["service_code"]
        category = service_categories().filter(service_code=code).first()
        if category is None:
            raise ValidationError(_("Unknown service code."), code="unknown_service")
        return category

    def clean_media(self):
        return clean_photo_files(self.cleaned_data.get("media"))

    def clean(self):
        data = super().clean()
        lat, lon = data.get("lat"), data.get("long")
        if lat or lon:
            try:
                data["location"] = params.point(lat, lon, in_city=True)
            except ApiError as error:
                self.add_error(None, error.description)
        elif not data.get("address_string"):
            self.add_error(None, _("Give the place as lat and long, or as address_string."))
        category = data.get("service_code")
        if data.get("media") and category is not None and not category.photos_enabled:
            self.add_error("media", _("This service takes no photos."))
        return data


def attributes_of(post, category):
    """``attribute[code]`` (and ``attribute[code][]``) values, checked against the service."""
    given = {}
    for key in post:
        if key.startswith("attribute[") and key.endswith("]"):
            code = key[len("attribute["):].removesuffix("[]").rstrip("]")
            given[code] = post.getlist(key) if key.endswith("[]") else post.get(key)
    if len(given) > MAX_ATTRIBUTES:
        raise ApiError(400, _("Too many attributes."))
    defined = {attribute.code: attribute for attribute in category.open311_attributes.all()}
    for code in given:
        if code not in defined:
            raise ApiError(400, _("Unknown attribute: %(code)s.") % {"code": code[:60]})
    for code, attribute in defined.items():
        value = given.get(code)
        if attribute.required and not value:
            raise ApiError(400, _("The attribute %(code)s is required.") % {"code": code})
        allowed = {key for key, _name in attribute.value_pairs()}
        values = value if isinstance(value, list) else [value] if value else []
        if allowed and any(item not in allowed for item in values):
            raise ApiError(400, _("The attribute %(code)s has no such value.") % {"code": code})
    return {code: value for code, value in given.items() if value}


def api_key_of(request):
    """The key posted in the body (never the query string: ``views.refuse_key_in_url``)."""
    key = ApiKey.for_key(request.POST.get("api_key"))
    if key is None:
        raise ApiError(403, _("A valid api_key is required."))
    return key


def take_rate(request, api_key):
    """Count one accepted post of this key; ``False`` once over its limit."""
    usage = get_usage(request, group=RATE_GROUP, key=lambda group, req: f"key-{api_key.pk}",
                      rate=api_key.rate_limit, method=["POST"], increment=True)
    return usage is None or usage["time_left"] < 0 or usage["count"] <= usage["limit"]


def payload_hash(request):
    fields = sorted((key, request.POST.getlist(key)) for key in request.POST if key != "api_key")
    files = sorted((key, [(item.name, item.size) for item in request.FILES.getlist(key)])
                   for key in request.FILES)
    return hashlib.sha256(json.dumps([fields, files]).encode()).hexdigest()


def submission_key(api_key, request):
    header = request.headers.get("Idempotency-Key", "").strip()
    if not header:
        return None
    return hashlib.sha256(f"open311:{api_key.pk}:{header[:200]}".encode()).hexdigest()


def first_submission(api_key, request, digest):
    """The earlier case of a replayed post, or ``None``."""
    key = submission_key(api_key, request)
    if key:
        earlier = ApiSubmission.objects.filter(feedback__submission_key=key).first()
        if earlier:
            return earlier
    return ApiSubmission.objects.filter(
        api_key=api_key, payload_hash=digest,
        created_at__gte=timezone.now() - REPLAY_WINDOW).order_by("created_at").first()


def form_error(form):
    messages = []
    for field, errors in form.errors.items():
        prefix = "" if field == "__all__" else f"{field}: "
        messages.extend(f"{prefix}{message}" for message in errors)
    return ApiError(400, " ".join(messages))


#: The bodies GeoReport v2 posts (its fields as a form; photos as multipart).
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def submit_view(request, fmt):
    if request.content_type not in FORM_TYPES:
        # Read as a form, a JSON body would have no fields, not even its api_key.
        raise ApiError(415, _(
            "Send the service request as a form (application/x-www-form-urlencoded, or "
            "multipart/form-data with media), as GeoReport v2 does. Nothing was saved."))
    api_key = api_key_of(request)
    form = ServiceRequestForm(request.POST, request.FILES)
    if not form.is_valid():
        raise form_error(form)
    data = form.cleaned_data
    category = data["service_code"]
    attributes = attributes_of(request.POST, category)
    digest = payload_hash(request)
    earlier = first_submission(api_key, request, digest)
    if earlier is None:
        if not take_rate(request, api_key):
            error = ApiError(429, _("Too many requests with this api_key. Try again later."))
            error.headers = {"Retry-After": "60"}
            raise error
        submission = create(request, api_key, data, attributes, digest)
    else:
        submission = earlier
    return respond(fmt, "service_requests", [answer(submission)],
                   )


def create(request, api_key, data, attributes, digest):
    language = current_language()
    name = " ".join(part for part in (data.get("first_name"), data.get("last_name")) if part)
    submission = actions.Submission(
        category=data["service_code"], message=data["description"],
        location=data.get("location"), address=data.get("address_string") or "",
        contact_name=name, contact_email=data.get("email") or "",
        contact_phone=data.get("phone") or "", language=language,
        channel=Feedback.Channel.API, photos=tuple(data.get("media") or ()))
    pages = FeedbackPage.objects.live()
    page = pages.filter(locale__language_code=language).first() or pages.first()
    with queue.atomic():
        feedback = actions.submit_feedback(submission, page=page,
                                           submission_key=submission_key(api_key, request))
        if feedback.replayed:
            return ApiSubmission.objects.get(feedback=feedback)
        record = ApiSubmission.objects.create(
            feedback=feedback, api_key=api_key, key_name=api_key.name, payload_hash=digest,
            title=data.get("title") or "", attributes=attributes,
            media_url=data.get("media_url") or "")
        log(instance=feedback, action=log_actions.SUBMITTED, data={
            "key_name": api_key.name, "channel_label": api_key.channel_label,
            "title": record.title, "media_url": record.media_url, "attributes": attributes})
    return record


def answer(submission):
    feedback = submission.feedback
    days = feedback.category.expected_response_days
    notice = ngettext("We aim to answer within %(days)s working day.",
                      "We aim to answer within %(days)s working days.", days) % {"days": days}
    key = submission.api_key
    if key is not None and key.pre_moderation:
        return {"token": submission.token, "service_notice": notice}
    return {"service_request_id": feedback.reference, "service_notice": notice}
