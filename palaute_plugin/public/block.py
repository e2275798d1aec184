"""``FeedbackBlock``'s form on ordinary pages: the feedback form's checks, one compact form.

A valid post creates the case (recording the page it came from) and redirects back to
the page, whose block then shows the receipt; an invalid one shows the page again
with the errors in the block.
"""

from django import forms
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from .. import actions
from ..models import Feedback, FeedbackCategory, current_language
from . import antispam, ratelimit
from .forms import FeedbackForm
from .views import TOKEN_MESSAGES, post_digest, rate_limited_message, sent_before

#: The hidden field naming the block a post is for.
BLOCK_FIELD = "palaute_block"
RECEIPT_PARAMETER = "palaute"


class BlockFeedbackForm(FeedbackForm):
    """The feedback form without the map, name, phone and publication choice."""

    LEFT_OUT = ("location", "contact_name", "contact_phone", "do_not_publish")

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.LEFT_OUT:
            del self.fields[name]
        category = self.fields["category"]
        category.queryset = categories
        category.widget.choices = category.grouped_choices()
        if len(category.categories) == 1:
            category.widget = forms.HiddenInput()
            self.initial.setdefault("category", category.categories[0].pk)
        self.fields["address"].label = _("Place (optional)")

    @property
    def honeypot_filled(self):
        return bool(self.data.get(self.add_prefix("website")))

    @property
    def fixed_category(self):
        categories = self.fields["category"].categories
        return categories[0] if len(categories) == 1 else None

    def submission(self, language, page=None):
        data = self.cleaned_data
        return actions.Submission(
            category=data["category"], kind=data["kind"], message=data["message"],
            address=data.get("address", ""), contact_email=data["contact_email"],
            language=language, photos=tuple(data.get("photos") or ()),
            publish_consent=False, source_page=page)


def block_categories(value):
    """The categories a block offers: its one category, or its group's."""
    if value.get("category"):
        return FeedbackCategory.objects.accepting_feedback().filter(pk=value["category"].pk)
    group = value.get("category_group")
    if group is None:
        return FeedbackCategory.objects.none()
    return (FeedbackCategory.objects.accepting_feedback().filter(parent=group.pk)
            .select_related("parent", "other_authority").order_by("sort_order", "name_fi"))


def block_form(value, block_id, data=None, files=None):
    return BlockFeedbackForm(data, files, categories=block_categories(value),
                             prefix=f"palaute-{block_id}")


def block_context(value, parent_context):
    """What the block's template needs: the form (bound after a failed post) or the receipt."""
    block_id = parent_context.get("block_id") or ""
    request = parent_context.get("request")
    page = parent_context.get("page")
    bound = (parent_context.get("palaute_block_forms") or {}).get(block_id)
    form = bound or block_form(value, block_id)
    receipt = None
    token = request.GET.get(RECEIPT_PARAMETER) if request is not None else None
    if token and page is not None and request.GET.get("lohko") == block_id:
        receipt = (Feedback.objects.select_related("category", "page")
                   .filter(tracking_token=token, source_page=page.pk).first())
    return {
        "block_id": block_id, "form": form, "receipt": receipt,
        "sent_again": receipt is not None and request.GET.get("again") == "1",
        "status_url": receipt.page.status_url(receipt, request) if receipt and receipt.page
        else "",
        "form_token_input": format_html(
            '<input type="hidden" name="form_token" value="{}">',
            antispam.reissue_form_token(request.POST.get("form_token"))
            if getattr(bound, "keep_form_time", False) else antispam.issue_form_token()),
        "block_field": BLOCK_FIELD,
        "action_url": page.url if page is not None else "",
    }


@never_cache
@ratelimit.with_retry_after
def serve_block_post(request, page):
    block_id = request.POST.get(BLOCK_FIELD, "")
    value = page.find_feedback_block(block_id)
    if value is None:
        return page_with_form(request, page, block_id, None, status=400)
    form = block_form(value, block_id, request.POST, request.FILES)
    if form.honeypot_filled:
        return redirect(page.url)
    if ratelimit.limited(request):
        form.is_valid()
        form.add_error(None, rate_limited_message())
        return page_with_form(request, page, block_id, form, status=429)
    try:
        nonce = antispam.check_form_token(request.POST.get("form_token"))
    except antispam.TokenError as error:
        # Back and Send again at once (the form shown on Back is new: "too fast"): the
        # first case's receipt.
        earlier = sent_before(request, post_digest(form), None, source_page=page) if (
            error.reason == "too_fast" and form.is_valid()) else None
        if earlier is not None:
            return receipt_redirect(page, earlier, block_id, sent_again=True)
        form.is_valid()
        form.add_error(None, TOKEN_MESSAGES[error.reason])
        return page_with_form(request, page, block_id, form, status=400)
    if not form.is_valid():
        form.keep_form_time = True  # shown again with the time it was first shown
        return page_with_form(request, page, block_id, form, status=400)
    digest = post_digest(form)
    earlier = sent_before(request, digest, nonce, source_page=page)
    if earlier is not None:  # Back and Send again: the first case's receipt
        return receipt_redirect(page, earlier, block_id, sent_again=True)
    if not ratelimit.take(request):
        form.add_error(None, rate_limited_message())
        return page_with_form(request, page, block_id, form, status=429)
    language = current_language()
    feedback = actions.submit_feedback(
        form.submission(language, page=page), page=actions.feedback_page_for(language),
        submission_key=nonce)
    if feedback.replayed and not antispam.sent_by_this_browser(request, nonce):
        form.add_error(None, _("This form has been sent already. To send new feedback, "
                               "reload the page."))
        return page_with_form(request, page, block_id, form, status=400)
    response = receipt_redirect(page, feedback, block_id)
    antispam.remember_sent(request, response, nonce, digest=digest)
    return response


def receipt_redirect(page, feedback, block_id, sent_again=False):
    query = {RECEIPT_PARAMETER: feedback.tracking_token, "lohko": block_id}
    if sent_again:
        query["again"] = "1"
    return redirect(f"{page.url}?{urlencode(query)}#palaute-{block_id}")


def page_with_form(request, page, block_id, form, status):
    """The page again, the block showing the resident's input and the errors."""
    context = page.get_context(request)
    context["palaute_block_forms"] = {block_id: form} if form is not None else {}
    return TemplateResponse(request, page.get_template(request), context, status=status)
