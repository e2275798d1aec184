"""Public views: the form, the receipt and the private status page (routes of FeedbackPage)."""

from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from wagtail.models import ModelLogEntry

from .. import actions, log_actions
from ..models import Feedback, FeedbackCategory, current_language
from . import antispam
from .caching import cached_form_html
from .forms import FeedbackForm, FollowUpForm

TOKEN_MESSAGES = {
    "invalid": _("The form could not be verified. Check your answers and send again."),
    "too_fast": _("The form was sent too quickly. Check your answers and send again."),
    "expired": _(
        "The form had been open for a long time. Your text is kept: check it, attach any "
        "photos again and send."
    ),
}


def render_form_fields(page, form):
    """The form's fields as HTML; the same for every visitor until something is posted."""
    categories = form.fields["category"].categories
    authorities = {c.other_authority_id: c.other_authority for c in categories
                   if c.other_authority_id}
    context = {
        "page": page,
        "form": form,
        "categories": categories,
        "authorities": sorted(authorities.values(), key=lambda a: a.name),
        "privacy_url": page.get_privacy_url(),
        "has_location_categories": any(
            c.location_mode != FeedbackCategory.LocationMode.HIDDEN for c in categories),
    }
    return render_to_string("palaute_plugin/includes/form_fields.html", context)


def cached_form_fields(page):
    html = cached_form_html(page, current_language(),
                            lambda: render_form_fields(page, FeedbackForm()))
    return mark_safe(html)  # noqa: S308 (rendered by our own autoescaping template)


def form_response(request, page, form=None, status=200):
    """The form page; an unbound form's fields come from the cache."""
    form_html = cached_form_fields(page) if form is None else mark_safe(  # noqa: S308
        render_form_fields(page, form))
    token = (form.data.get("form_token") if form is not None
             else antispam.issue_form_token())
    context = {
        "page": page,
        "self": page,
        "form": form,
        "form_fields": form_html,
        "form_token_input": format_html(
            '<input type="hidden" name="form_token" value="{}">', token),
        "form_media": FeedbackForm.media_for_page(),
    }
    return TemplateResponse(request, "palaute_plugin/feedback_page.html", context,
                            status=status)


@never_cache
def feedback_form_view(request, page):
    """Show the form; on a valid post create the case and redirect to the receipt."""
    if request.method != "POST":
        return form_response(request, page)

    if antispam.rate_limit_exceeded(request):
        return TemplateResponse(request, "palaute_plugin/rate_limited.html",
                                {"page": page, "self": page}, status=429)
    form = FeedbackForm(request.POST, request.FILES)
    if form.honeypot_filled:
        # Looks like success to a bot; nothing is saved or sent.
        return TemplateResponse(request, "palaute_plugin/receipt.html",
                                {"page": page, "self": page, "feedback": None})
    token_error = None
    try:
        nonce = antispam.check_form_token(request.POST.get("form_token"))
    except antispam.TokenError as error:
        token_error, nonce = error.reason, None
    if form.is_valid() and token_error is None:
        feedback = save_feedback(request, page, form, nonce)
        return redirect(page.url + page.reverse_subpage("receipt_view",
                                                        args=[feedback.tracking_token]))
    # Re-show with the resident's input kept and a fresh token.
    form.data = form.data.copy()
    form.data["form_token"] = antispam.issue_form_token()
    if token_error:
        form.add_error(None, TOKEN_MESSAGES[token_error])
    return form_response(request, page, form, status=400)


def save_feedback(request, page, form, nonce):
    data = form.cleaned_data
    return actions.submit_feedback(
        category=data["category"], kind=data["kind"], message=data["message"],
        location=data.get("location"), address=data.get("address", ""),
        contact_name=data["contact_name"], contact_email=data["contact_email"],
        contact_phone=data["contact_phone"], language=current_language(),
        cleaned_photos=data.get("photos") or [], page=page, submission_key=nonce,
    )


def get_feedback_by_token(token):
    feedback = (Feedback.objects.select_related("category", "redirected_to", "duplicate_of")
                .filter(tracking_token=token).exclude(status=Feedback.Status.REJECTED).first())
    if feedback is None:
        raise Http404
    return feedback


def private_response(response):
    """Pages reached by a secret link: not cached, not indexed, no referrer leaks."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def receipt_view(request, page, token):
    feedback = get_feedback_by_token(token)
    context = {"page": page, "self": page, "feedback": feedback,
               "status_url": page.status_url(feedback, request)}
    return private_response(TemplateResponse(request, "palaute_plugin/receipt.html", context))


def status_view(request, page, token):
    """The private status page; an open case also takes the resident's follow-up."""
    feedback = get_feedback_by_token(token)
    form, status = FollowUpForm(), 200
    if request.method == "POST" and not feedback.is_open:
        status = 400  # closed meanwhile: the page says so and offers new feedback
    elif request.method == "POST":
        if antispam.rate_limit_exceeded(request):
            return TemplateResponse(request, "palaute_plugin/rate_limited.html",
                                    {"page": page, "self": page}, status=429)
        form = FollowUpForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                actions.resident_follow_up(feedback, message=form.cleaned_data["message"],
                                           cleaned_photos=form.cleaned_data["photos"])
            except actions.ActionError as error:
                form.add_error(None, str(error))
            else:
                return redirect(page.url + page.reverse_subpage("status_view", args=[token])
                                + "?added=1")
        status = 400
    history = (ModelLogEntry.objects.for_instance(feedback)
               .filter(action__in=log_actions.PUBLIC).order_by("timestamp", "pk"))
    context = {"page": page, "self": page, "feedback": feedback, "history": history,
               "form": form if feedback.is_open else None,
               "added": request.GET.get("added") == "1"}
    return private_response(TemplateResponse(request, "palaute_plugin/status.html", context,
                                             status=status))
