"""The GeoReport v2 endpoints. Each answers JSON or XML as its URL ends, errors included.

Override nothing here to change what is shown: ``requests.py`` decides what of a case
is public, ``services.py`` what a service is, ``submit.py`` how a POST becomes a case.
"""

import functools

from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import get_usage

from ..conf import palaute_setting
from ..models import Feedback
from ..proxies import client_address
from ..publication.models import FeedbackPublication
from . import params, requests, services
from .models import ApiSubmission
from .render import ApiError, error_response, respond

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00+02:00"
READ_RATE_GROUP = "palaute:open311-reads-by-client"
READ_METHODS = ["GET", "HEAD"]


def refuse_key_in_url(request):
    """``api_key`` belongs in the POST body (GeoReport v2): an address is written into
    access logs, proxies' logs and browser histories, and the key with it."""
    if "api_key" in request.GET:
        raise ApiError(400, _(
            "Send api_key in the POST body, never in the address: addresses are written "
            "into logs. Nothing was done. If the key was sent in an address before, ask "
            "for a new one."))


def check_read_rate(request):
    """Count one read of this client; 429 once over ``PALAUTE_OPEN311_READ_RATE_LIMIT``.

    The cache failing to count lets the read through (as the forms' limits do)."""
    if request.method not in READ_METHODS:
        return
    usage = get_usage(request, group=READ_RATE_GROUP,
                      key=lambda group, req: client_address(req),
                      rate=palaute_setting("OPEN311_READ_RATE_LIMIT"), method=READ_METHODS,
                      increment=True)
    if usage is None or usage["time_left"] < 0 or usage["count"] <= usage["limit"]:
        return
    error = ApiError(429, _("Too many requests from your address. Try again later."))
    error.headers = {"Retry-After": str(max(1, usage["time_left"]))}
    raise error


def api_view(methods=("GET",)):
    """Answers in the URL's format, in the ``locale`` asked for, errors in the spec's shape.

    ``HEAD`` is answered wherever ``GET`` is (a link checker's or a monitor's request);
    a 405 names the methods allowed (``Allow``)."""
    allowed = (*methods, "HEAD") if "GET" in methods else tuple(methods)

    def decorator(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, fmt, **kwargs):
            # A locale of no language of the site is the default's (``params.language``).
            language = params.language(request.GET) or params.language(request.POST)
            # The error's text is made inside, in the language asked for.
            with translation.override(language or translation.get_language()):
                try:
                    response = None
                    if request.method not in allowed:
                        error = ApiError(405, _("This method is not allowed here."))
                        error.headers = {"Allow": ", ".join(allowed)}
                        raise error
                    refuse_key_in_url(request)
                    check_read_rate(request)
                    response = view(request, fmt, **kwargs)
                except ApiError as error:
                    response = error_response(fmt, error.status, error.description,
                                              headers=getattr(error, "headers", None))
                except Http404:
                    response = error_response(fmt, 404, _("Not found."))
                # The language the answer is in (``LocaleMiddleware`` would name the site's).
                response["Content-Language"] = translation.get_language()
                return response
        return wrapper
    return decorator


@csrf_exempt
def unknown_address(request, path):
    """An address of no endpoint: a 404 in the spec's shape, in the format its end names
    (JSON otherwise), saying how the endpoints' addresses end."""
    fmt = "xml" if path.endswith(".xml") else "json"
    language = params.language(request.GET) or params.language(request.POST)
    with translation.override(language or translation.get_language()):
        response = error_response(fmt, 404, _(
            "No such address. Each address ends in its format, without a slash, "
            "for example requests.json or requests.xml."))
        response["Content-Language"] = translation.get_language()
    return response


@api_view()
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("palaute_open311_services", args=["json"]))
    url = base.rsplit("/", 1)[0] + "/"
    return respond(fmt, "discovery", {
        "changeset": CHANGESET,
        "contact": request.build_absolute_uri("/"),
        "key_service": "",
        "endpoints": [{"specification": SPECIFICATION, "url": url, "changeset": CHANGESET,
                       "type": "production", "formats": ["text/xml", "application/json"]}],
    })


@api_view()
def services_list(request, fmt):
    return respond(fmt, "services", services.services())


@api_view()
def service_definition(request, fmt, code):
    category = services.service_categories().filter(service_code=code).first()
    if category is None:
        raise ApiError(404, _("Unknown service code."))
    return respond(fmt, "service_definition", services.service_definition(category))


@api_view(methods=("GET", "POST"))
def requests_view(request, fmt):
    if request.method == "POST":
        from .submit import submit_view

        return submit_view(request, fmt)
    query = params.request_query(request.GET)
    serializer = requests.RequestSerializer(request, extensions=query.extensions)
    rows, total = requests.page_of_publications(query)
    items = serializer.public(rows)
    if query.ids:
        found = {row["reference"] for row in rows}
        items += serializer.unpublished(requests.unpublished_rows(query.ids, found))
    return respond(fmt, "service_requests", items, headers={"X-Result-Count": str(
        total + len(items) - len(rows))})


@api_view()
def request_detail(request, fmt, request_id):
    if not params.REQUEST_ID.match(request_id):
        raise ApiError(404, _("Unknown service request."))
    extensions = request.GET.get("extensions", "").lower() == "true"
    serializer = requests.RequestSerializer(request, extensions=extensions)
    rows = requests.public_rows(FeedbackPublication.objects.public().filter(
        reference=request_id))
    items = serializer.public(rows) or serializer.unpublished(
        requests.unpublished_rows([request_id], set()))
    if not items:
        raise ApiError(404, _("Unknown service request."))
    return respond(fmt, "service_requests", items)


@api_view()
def token_view(request, fmt, token):
    submission = (ApiSubmission.objects.filter(token=token)
                  .exclude(feedback__status=Feedback.Status.REJECTED)
                  .select_related("feedback", "api_key").first())
    if submission is None:
        raise ApiError(404, _("Unknown token."))
    item = {"service_request_id": submission.feedback.reference, "token": token}
    if waiting_for_moderation(submission):
        item["service_request_id"] = None
    return respond(fmt, "service_requests", [item])


def waiting_for_moderation(submission):
    """A pre-moderated key's case has no id to show until staff have taken it up."""
    key = submission.api_key
    return (key is not None and key.pre_moderation
            and submission.feedback.status == Feedback.Status.NEW)


