"""The resident's side of a free-form form page: the feedback form's anti-spam
(honeypot, time token, rate limit) and its accessible rendering."""

import logging

from django.core.cache import cache
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.views.decorators.cache import never_cache

from ..conf import palaute_setting
from . import antispam, ratelimit
from .views import TOKEN_MESSAGES, rate_limited_message

logger = logging.getLogger(__name__)

#: Unlikely to clash with a field an editor builds (Wagtail names fields by their label).
HONEYPOT_FIELD = "palaute_website"


def form_context(page, request, form):
    context = page.get_context(request)
    context.update({
        "form": form,
        "form_token_input": format_html('<input type="hidden" name="form_token" value="{}">',
                                        antispam.issue_form_token()),
        "honeypot_name": HONEYPOT_FIELD,
    })
    return context


def first_use(nonce):
    """Whether this form token is sent for the first time (a replay saves nothing)."""
    try:
        return cache.add(f"palaute:legacy-form:{nonce}", 1,
                         timeout=palaute_setting("FORM_MAX_AGE_SECONDS"))
    except Exception:  # noqa: BLE001 (no cache: a duplicate beats a lost submission)
        logger.exception("Form token replay check failed (cache unavailable).")
        return True


@never_cache
@ratelimit.with_retry_after
def serve_legacy_form(request, page, *args, **kwargs):
    """Wagtail's ``FormMixin.serve``, with the checks the feedback form makes."""
    if request.method != "POST":
        form = page.get_form(page=page, user=request.user)
        return TemplateResponse(request, page.get_template(request),
                                form_context(page, request, form))
    form = page.get_form(request.POST, request.FILES, page=page, user=request.user)
    if request.POST.get(HONEYPOT_FIELD):
        # A bot: it sees the thank-you page; nothing is saved or sent.
        return page.render_landing_page(request, None, *args, **kwargs)
    status = 400
    if ratelimit.limited(request):
        form.is_valid()
        form.add_error(None, rate_limited_message())
        status = 429
    else:
        try:
            nonce = antispam.check_form_token(request.POST.get("form_token"))
        except antispam.TokenError as error:
            form.is_valid()
            form.add_error(None, TOKEN_MESSAGES[error.reason])
        else:
            if form.is_valid():
                if not first_use(nonce):
                    # A double click or a reload of the thank-you page: saved once already.
                    return page.render_landing_page(request, None, *args, **kwargs)
                if ratelimit.take(request):
                    submission = page.process_form_submission(form)
                    return page.render_landing_page(request, submission, *args, **kwargs)
                form.add_error(None, rate_limited_message())
                status = 429
    return TemplateResponse(request, page.get_template(request),
                            form_context(page, request, form), status=status)
