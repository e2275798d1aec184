"""Refuse an oversized post before it is read, instead of after writing it all to disk.

Add ``palaute_plugin.public.middleware.UploadSizeLimitMiddleware`` before
``CsrfViewMiddleware`` (which reads the body). A post to any page outside the
Wagtail admin whose ``Content-Length`` is above what the feedback forms can ever
accept (``PALAUTE_MAX_PHOTOS`` photos of ``PALAUTE_PHOTO_MAX_BYTES`` plus the
form) gets a translated 413 page at once. Set the reverse proxy's body limit
(nginx ``client_max_body_size``) to the same figure.
"""

from django.template.response import TemplateResponse
from django.urls import reverse

from ..conf import palaute_setting

FORM_ALLOWANCE_BYTES = 1024 * 1024  # the text fields and multipart overhead


def max_request_bytes():
    configured = palaute_setting("MAX_REQUEST_BYTES")
    if configured:
        return configured
    return palaute_setting("MAX_PHOTOS") * palaute_setting("PHOTO_MAX_BYTES") + FORM_ALLOWANCE_BYTES


class UploadSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and self.too_large(request) and not self.in_admin(request):
            return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def too_large(request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        return length > max_request_bytes()

    @staticmethod
    def in_admin(request):
        return request.path_info.startswith(reverse("wagtailadmin_home"))

    @staticmethod
    def refuse(request):
        megabytes = palaute_setting("PHOTO_MAX_BYTES") // (1024 * 1024)
        context = {"max_photos": palaute_setting("MAX_PHOTOS"), "megabytes": megabytes,
                   "return_url": request.path}
        response = TemplateResponse(request, "palaute_plugin/too_large.html", context,
                                    status=413)
        response["Connection"] = "close"  # the unread body is not worth reading
        return response.render()
