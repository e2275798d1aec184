"""Admin views of answers awaiting approval: test-client tests, permissions included."""

import pytest
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from palaute_plugin import actions
from palaute_plugin.answers import log_actions
from palaute_plugin.answers.models import AnswerDraft
from palaute_plugin.models import FeedbackCategory
from palaute_plugin.staff.viewsets import feedback_viewset

from .admin_fixtures import admin_user, detail_url
from .answer_fixtures import decide, submitted
from .factories import FeedbackFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.django_db

SNIPPET = "wagtailsnippets_palaute_plugin_answerdraft"
RESIDENT = "invanare@example.com"


def url(name, *args):
    return reverse(f"{SNIPPET}:{name}", args=args)


def action_url(case, name):
    return reverse(feedback_viewset.get_url_name("action"), args=[case.pk, name])


def to_resident():
    return [message for message in mail.outbox if message.to == [RESIDENT]]


def workflow_action_url(answer, name):
    task_state = answer.current_workflow_state.current_task_state
    return url("workflow_action", answer.pk, name, task_state.pk)


def test_reply_form_submits_for_approval(client, handler, sensitive_case):
    client.force_login(handler)
    for name in ("reply", "resolve", "close"):
        form = client.get(action_url(sensitive_case, name)).content.decode()
        assert "Answers in this category are approved before they are sent" in form, name
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(action_url(sensitive_case, "reply"),
                               {"message": "Vi hjälper dig.", "expected_version": 0},
                               follow=True)
    content = response.content.decode()
    assert "was sent for approval" in content
    assert "The resident is told by email" not in content
    assert to_resident() == []
    answer = AnswerDraft.objects.get(feedback=sensitive_case)
    assert answer.text == "Vi hjälper dig."
    # The case screen shows it, and offers no second answer.
    assert "Answer awaiting approval" in content
    assert "Vi hjälper dig." in content
    assert f'href="{action_url(sensitive_case, "reply")}"' not in content
    assert f'href="{action_url(sensitive_case, "resolve")}"' not in content
    assert f'href="{url("edit", answer.pk)}"' in content


def test_second_answer_is_refused_in_the_form_and_the_screen(client, handler, sensitive_case):
    submitted(sensitive_case, handler)
    client.force_login(handler)
    response = client.get(action_url(sensitive_case, "resolve"), follow=True)
    assert "An answer to this feedback is awaiting approval" in response.content.decode()
    response = client.post(action_url(sensitive_case, "close"),
                           {"reason": "Stängt.", "expected_version": 0})
    assert response.status_code == 200
    assert "An answer to this feedback is awaiting approval" in response.content.decode()
    assert AnswerDraft.objects.count() == 1
    # A note is still fine.
    client.post(action_url(sensitive_case, "note"), {"text": "Ringde."})
    assert ModelLogEntry.objects.for_instance(sensitive_case).filter(
        action="palaute_plugin.note").exists()


def test_category_edit_form_offers_the_approver_group(admin_client, approval_category,
                                                      answer_approvers):
    edit = reverse("wagtailsnippets_palaute_plugin_feedbackcategory:edit",
                   args=[approval_category.pk])
    content = admin_client.get(edit).content.decode()
    assert 'name="answer_approvers"' in content
    assert FeedbackCategory._meta.get_field("answer_approvers").help_text


def test_approver_sees_it_awaiting_review_and_opens_it(client, approver, handler,
                                                       sensitive_case):
    answer = submitted(sensitive_case, handler)
    client.force_login(approver)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert str(answer) in dashboard
    response = client.get(url("edit", answer.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Jag behöver hjälp med hyran." in content  # the case it answers
    assert "Vi hjälper dig gärna." in content
    # The resident's language named in the approver's (not "svenska" to all).
    assert "the resident gets the answer by email in Swedish." in content
    assert 'data-workflow-action-name="approve"' in content
    # Sent to the resident, never published: not Wagtail's "Approve and send and Publish".
    assert "Approve and send" in content and "and Publish" not in content
    # Told before editing that a changed text needs another approver (four eyes).
    assert "An approver who changes it becomes one of its writers" in content
    assert client.get(url("history", answer.pk)).status_code == 200
    listing = client.get(url("list")).content.decode()
    assert str(answer) in listing
    # The writer by full name, as the rest of the admin names staff.
    from wagtail.admin.utils import get_user_display_name

    assert get_user_display_name(handler) != handler.username
    assert f">{get_user_display_name(handler)}<" in listing.replace("\n", "").replace(
        "  ", "")
    assert "Written by" in listing


def test_a_sent_answer_leaves_the_list_of_answers_awaiting_approval(
        client, handler, approver, sensitive_case):
    """The list is what awaits approval; the sent answer's own screens still open."""
    answer = submitted(sensitive_case, handler)
    client.force_login(approver)
    assert str(answer) in client.get(url("list")).content.decode()
    decide(answer, approver)
    answer.refresh_from_db()
    assert answer.sent_at is not None
    assert str(answer) not in client.get(url("list")).content.decode()
    assert client.get(url("history", answer.pk)).status_code == 200


def test_others_get_404_and_see_nothing_listed(client, handler, housing_handler, housing,
                                               sensitive_case):
    answer = submitted(sensitive_case, handler)
    other_approvers = GroupFactory(name="Housing approvers")
    housing.answer_approvers = other_approvers
    housing.save()
    other_approver = admin_user(username="other_approver")
    other_approver.groups.add(other_approvers)
    for user in (housing_handler, other_approver):
        client.force_login(user)
        for name in ("edit", "history", "delete"):
            assert client.get(url(name, answer.pk)).status_code == 404, (user, name)
        assert client.post(workflow_action_url(answer, "approve")).status_code == 404
        assert str(answer) not in client.get(url("list")).content.decode()
        assert str(answer) not in client.get(reverse("wagtailadmin_home")).content.decode()
    answer.refresh_from_db()
    assert answer.sent_at is None and to_resident() == []


def test_no_chooser_and_nobody_adds_one_by_hand(admin_client):
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("wagtailsnippetchoosers_palaute_plugin_answerdraft:choose")
    response = admin_client.get(url("add"))
    assert response.status_code == 302
    assert not AnswerDraft.objects.exists()


def test_request_changes_resubmit_and_approve_through_the_views(client, handler, approver,
                                                                sensitive_case):
    answer = submitted(sensitive_case, handler)
    client.force_login(approver)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(workflow_action_url(answer, "reject"),
                               {"comment": "Var vänlig och lägg till telefonnumret."})
    assert response.status_code == 302
    assert answer.workflow_states.get().status == "needs_changes"

    client.force_login(handler)
    case_screen = client.get(detail_url(sensitive_case)).content.decode()
    assert "The approver requested changes" in case_screen
    assert "Var vänlig och lägg till telefonnumret." in case_screen
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url("edit", answer.pk),
                               {"text": "Ring oss på 016 123.", "action-submit": "1"})
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.current_workflow_state.status == "in_progress"
    assert to_resident() == []

    client.force_login(approver)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(workflow_action_url(answer, "approve"))
    answer.refresh_from_db()
    assert answer.live and answer.sent_at
    assert [m.body.count("Ring oss på 016 123.") for m in to_resident()] == [1]
    steps = list(ModelLogEntry.objects.for_instance(sensitive_case).order_by("pk")
                 .values_list("action", flat=True))
    assert [step for step in steps if step.startswith("palaute_plugin.answer_")] == [
        log_actions.SUBMITTED, log_actions.CHANGES_REQUESTED, log_actions.EDITED,
        log_actions.RESUBMITTED, log_actions.APPROVED]


def test_handler_cannot_approve(client, handler, sensitive_case):
    answer = submitted(sensitive_case, handler)
    client.force_login(handler)
    content = client.get(url("edit", answer.pk)).content.decode()
    assert 'data-workflow-action-name="approve"' not in content
    client.post(workflow_action_url(answer, "approve"))
    answer.refresh_from_db()
    assert not answer.live and to_resident() == []


def test_a_sent_answer_is_not_changed_or_withdrawn(client, handler, approver, sensitive_case):
    answer = decide(submitted(sensitive_case, handler), approver)
    client.force_login(handler)
    for response in (client.post(url("edit", answer.pk), {"text": "Ändrat."}),
                     client.post(url("delete", answer.pk))):
        # Wagtail's answer to a refused permission: back to the dashboard.
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    answer.refresh_from_db()
    assert answer.text == "Vi hjälper dig gärna."
    assert client.get(url("history", answer.pk)).status_code == 200


def test_withdrawing_logs_it_and_frees_the_case(client, handler, sensitive_case):
    answer = submitted(sensitive_case, handler)
    client.force_login(handler)
    response = client.post(url("delete", answer.pk))
    assert response.status_code == 302
    assert not AnswerDraft.objects.exists()
    assert ModelLogEntry.objects.for_instance(sensitive_case).filter(
        action=log_actions.WITHDRAWN).exists()
    assert "reply" in actions.available_actions(sensitive_case, handler)


def test_listing_query_count_does_not_grow(client, handler, approval_category, approver):
    def count():
        client.force_login(approver)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("list")).status_code == 200
        return len(queries)

    submitted(FeedbackFactory(category=approval_category), handler)
    count()  # the first request warms Wagtail's caches (content types, locales)
    one = count()
    for _ in range(3):
        submitted(FeedbackFactory(category=approval_category), UserFactory(is_superuser=True))
    assert count() == one


def test_bulk_resolve_sends_answers_of_an_approval_category_for_approval(
        client, handler, approval_category):
    from .test_bulk_actions import bulk_url

    cases = [FeedbackFactory(category=approval_category, contact_email=RESIDENT)
             for _ in range(2)]
    client.force_login(handler)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(bulk_url("change_status", cases),
                               {"status": "resolved", "message": "Klart."}, follow=True)
    content = response.content.decode()
    assert "2 cases are in a category whose answers need approval" in content
    assert "changed to “resolved”" not in content
    assert AnswerDraft.objects.filter(action="resolve").count() == 2
    assert to_resident() == []
    for case in cases:
        case.refresh_from_db()
        assert case.status == "new"
