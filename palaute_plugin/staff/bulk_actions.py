"""Bulk actions on the cases selected in the inbox, in Wagtail's bulk action framework.

Every case goes through ``actions.bulk_apply``: its own transaction, its own
emails, its own permission and status check, so one refused case leaves the
others done. A selected case the user may not see is never loaded for the
action: it is only counted as skipped. To add an action, subclass
``FeedbackBulkAction``, give it a ``form_class`` with an ``action()`` method
returning ``(action name, keyword arguments)`` for ``actions.bulk_apply``, and
register it with the ``register_bulk_action`` hook.
"""

from collections import Counter

from django import forms
from django.contrib import messages as django_messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.utils import get_user_display_name
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from .. import actions
from ..models import Feedback, FeedbackCategory, language_name
from ..numbers import is_whole_number
from ..permissions import FeedbackPermissionPolicy, feedback_for_user, handlers_of
from .filters import filter_listing
from .forms import AssigneeField, ExpectedDateField
from .viewsets import feedback_viewset

Status = Feedback.Status
#: At most this many failures are listed one by one in the result message.
LISTED_FAILURES = 50


class BulkActionForm(forms.Form):
    """A bulk action's form: gets the selected ``cases``; ``action()`` names what to do."""

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = cases

    def action(self):
        """``(name in actions.ACTIONS, keyword arguments)`` for ``actions.bulk_apply``."""
        raise NotImplementedError

    def success_message(self, count):
        raise NotImplementedError


class BulkAssignForm(BulkActionForm):
    assignee = AssigneeField(
        help_text=_("Cases in a category this person does not handle are left as they are."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        categories = FeedbackCategory.objects.filter(
            pk__in={case.category_id for case in self.cases})
        self.fields["assignee"].queryset = handlers_of(categories)

    def action(self):
        return "assign", {"assignee": self.cleaned_data["assignee"]}

    def success_message(self, count):
        return ngettext(
            "%(count)d case assigned to %(name)s.",
            "%(count)d cases assigned to %(name)s.",
            count,
        ) % {"count": count, "name": get_user_display_name(self.cleaned_data["assignee"])}


class BulkChangeStatusForm(BulkActionForm):
    #: The statuses offered, and the action (of ``actions.ACTIONS``) that sets each.
    STATUS_ACTIONS = {
        Status.WORK_LIST: "work_list",
        Status.RESOLVED: "resolve",
        Status.CLOSED: "close",
        Status.REJECTED: "reject",
    }

    status = forms.ChoiceField(
        label=_("New status"), widget=forms.RadioSelect,
        choices=[(status.value, capfirst(status.label)) for status in STATUS_ACTIONS],
    )
    message = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Each resident who left an email address gets it. Required when resolving "
            "(the answer) and closing (the reason). When rejecting it is an internal "
            "note and nothing is sent."
        ),
    )
    expected_date = ExpectedDateField(
        label=_("Expected date"), required=False,
        help_text=_("For the work list: when the work is expected to be done, if known."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        languages = self.residents_languages()
        if languages:
            # One text goes to every resident as written: say in which languages they wrote.
            self.fields["message"].help_text = format_lazy(
                "{} {}", self.fields["message"].help_text,
                _("The residents who get it wrote in: %(languages)s.") % {
                    "languages": ", ".join(f"{name} ({count})" for name, count in languages)})

    def residents_languages(self):
        """``[(language's name, how many)]`` of the selected cases with an email address,
        the most common first."""
        counts = Counter(language_name(case.language) for case in self.cases
                         if case.contact_email)
        return sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))

    def clean(self):
        cleaned_data = super().clean()
        status = cleaned_data.get("status")
        message = cleaned_data.get("message", "").strip()
        if status == Status.RESOLVED and not message:
            self.add_error("message", _("Write the answer to the residents."))
        elif status == Status.CLOSED and not message:
            self.add_error("message", _("Write the reason for closing."))
        return cleaned_data

    def action(self):
        status = self.cleaned_data["status"]
        message = self.cleaned_data["message"].strip()
        name = self.STATUS_ACTIONS[status]
        if status == Status.WORK_LIST:
            return name, {"message": message,
                          "expected_date": self.cleaned_data["expected_date"]}
        if status == Status.RESOLVED:
            return name, {"message": message}
        return name, {"reason": message}

    def success_message(self, count):
        return ngettext(
            "%(count)d case changed to “%(status)s”.",
            "%(count)d cases changed to “%(status)s”.",
            count,
        ) % {"count": count, "status": Status(self.cleaned_data["status"]).label}


class FeedbackBulkAction(PermissionCheckedMixin, BulkAction):
    """The selected cases the user may see, confirmed with a form, then acted on one by one."""

    models = [Feedback]
    permission_policy = FeedbackPermissionPolicy()
    permission_required = "view"
    template_name = "palaute_plugin/admin/bulk_confirm.html"
    #: A bigger selection is refused: each case is its own transaction and emails.
    max_cases = 500

    @cached_property
    def selection(self):
        """``(cases, skipped)``: the selected cases the user may see (listing order) and
        how many selected ids were not among them."""
        visible = feedback_for_user(self.request.user)
        ids = self.request.GET.getlist("id")
        if "all" in ids:  # "select all in listing" sends the listing's own filters
            queryset, wanted = filter_listing(visible, self.request), None
        else:
            wanted = {value for value in ids if is_whole_number(value)}
            queryset = visible.filter(pk__in=wanted)
        cases = list(queryset.select_related("category__parent", "assignee")
                     .order_by("-created_at", "-pk")[: self.max_cases + 1])
        if wanted is None or len(cases) > self.max_cases:
            return cases, 0
        return cases, len(set(ids)) - len(cases)

    def get_actionable_objects(self):
        cases, skipped = self.selection
        too_many = len(cases) > self.max_cases
        return cases[: self.max_cases], {
            "items_with_no_access": [],
            "skipped_count": skipped,
            "too_many": too_many,
            "too_many_message": too_many_message(self.max_cases) if too_many else "",
        }

    def object_context(self, feedback):
        url = reverse(feedback_viewset.get_url_name("inspect"), args=[feedback.pk])
        return {"item": feedback, "detail_url": url}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "cases": self.get_actionable_objects()[0]}

    def form_valid(self, form):
        # Not Wagtail's form_valid: that wraps the whole batch in one transaction,
        # and each case must commit (and send its emails) on its own.
        self.cleaned_form = form
        cases, info = self.get_actionable_objects()
        if info["too_many"]:
            messages.error(self.request, too_many_message(self.max_cases))
            return redirect(self.next_url)
        response = self.run_bulk_hooks("before_bulk_action", cases)
        if response is not None:
            return response
        action_name, kwargs = form.action()
        done, failed = actions.bulk_apply(action_name, cases, user=self.request.user, **kwargs)
        self.actionable_objects = done
        response = self.run_bulk_hooks("after_bulk_action", done)
        if response is not None:
            return response
        self.report(form, done, failed, info["skipped_count"])
        return redirect(self.next_url)

    def run_bulk_hooks(self, hook_name, cases):
        for hook in hooks.get_hooks(hook_name):
            result = hook(self.request, self.action_type, cases, self)
            if hasattr(result, "status_code"):
                return result
        return None

    def report(self, form, done, failed, skipped):
        """Tell how many succeeded, which failed and why, and how many were skipped."""
        # In categories whose answers need approval the answer waits for it instead.
        submitted = [case for case in done if getattr(case, "submitted_answer", None)]
        done = [case for case in done if not getattr(case, "submitted_answer", None)]
        if done:
            messages.success(self.request, form.success_message(len(done)))
        if submitted:
            messages.warning(self.request, ngettext(
                "%(count)d case is in a category whose answers need approval: its answer "
                "was sent for approval, and it changes once approved.",
                "%(count)d cases are in a category whose answers need approval: their "
                "answers were sent for approval, and they change once approved.",
                len(submitted),
            ) % {"count": len(submitted)})
        if failed:
            django_messages.error(self.request, messages.render(
                ngettext("%(count)d case could not be changed:",
                         "%(count)d cases could not be changed:", len(failed))
                % {"count": len(failed)},
                None,
                failure_list(failed),
            ))
        if skipped:
            messages.warning(self.request, ngettext(
                "%(count)d selected case was skipped: it does not exist or you may not "
                "see it.",
                "%(count)d selected cases were skipped: they do not exist or you may not "
                "see them.",
                skipped,
            ) % {"count": skipped})


def too_many_message(max_cases):
    return ngettext(
        "Select at most %(count)d case at a time.",
        "Select at most %(count)d cases at a time.",
        max_cases,
    ) % {"count": max_cases}


def failure_list(failed):
    items = format_html_join(
        "\n", "<li>{}: {}</li>",
        ((feedback.reference, reason) for feedback, reason in failed[:LISTED_FAILURES]),
    )
    more = len(failed) - LISTED_FAILURES
    if more > 0:
        items += format_html("\n<li>{}</li>", ngettext(
            "and %(count)d more", "and %(count)d more", more) % {"count": more})
    return format_html('<ul class="palaute-bulk-failures">{}</ul>', items)


class AssignBulkAction(FeedbackBulkAction):
    display_name = _("Assign")
    action_type = "assign"
    aria_label = _("Assign the selected feedback")
    action_priority = 10
    form_class = BulkAssignForm
    submit_label = _("Assign")


class ChangeStatusBulkAction(FeedbackBulkAction):
    display_name = _("Change status")
    action_type = "change_status"
    aria_label = _("Change the status of the selected feedback")
    action_priority = 20
    form_class = BulkChangeStatusForm
    submit_label = _("Change status")


BULK_ACTIONS = [AssignBulkAction, ChangeStatusBulkAction]
