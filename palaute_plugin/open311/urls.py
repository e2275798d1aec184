"""``/open311/v2/``: each endpoint as ``.json`` and ``.xml``."""

from django.urls import re_path

from . import views

FORMAT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FORMAT, views.discovery, name="palaute_open311_discovery"),
    re_path(r"^services" + FORMAT, views.services_list, name="palaute_open311_services"),
    re_path(r"^services/(?P<code>[^/]+)" + FORMAT, views.service_definition,
            name="palaute_open311_service"),
    re_path(r"^requests" + FORMAT, views.requests_view, name="palaute_open311_requests"),
    re_path(r"^requests/(?P<request_id>[^/]+)" + FORMAT, views.request_detail,
            name="palaute_open311_request"),
    re_path(r"^tokens/(?P<token>[^/]+)" + FORMAT, views.token_view, name="palaute_open311_token"),
    # Anything else (an address without its format, or with a slash) is answered in the
    # spec's error shape, never with Django's slash redirect (a POST would lose its body).
    re_path(r"^(?P<path>.*)$", views.unknown_address, name="palaute_open311_unknown"),
]
