"""A styled, translated page for a form that failed Django's CSRF check.

Set ``CSRF_FAILURE_VIEW = "palaute_plugin.public.csrf.csrf_failure"``. It happens to
residents when the session cookie expired, cookies are blocked, or the page was
open in another browser: nothing is saved, and the text they wrote is shown back
so that it is not lost.
"""

from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

#: Fields whose text is shown back, in this order (the feedback form and follow-up).
KEPT_FIELDS = ("message",)


@never_cache
def csrf_failure(request, reason="", template_name=None):
    kept_text = "\n\n".join(
        request.POST.get(name, "").strip() for name in KEPT_FIELDS
        if request.method == "POST" and request.POST.get(name, "").strip())
    context = {"kept_text": kept_text, "return_url": request.path}
    response = TemplateResponse(request, template_name or "palaute_plugin/csrf_failure.html",
                                context, status=403)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
