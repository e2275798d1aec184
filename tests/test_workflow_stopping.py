"""Who may cancel or restart a workflow in progress: the writer's side (the handler who
sent the answer or proposed the record, their colleagues) may; a reviewer of the step in
progress (the answers' approver, the moderator) is not offered it and is refused it,
and an approver does not delete (withdraw) the handler's answer either."""

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from palaute_plugin.answers.models import AnswerDraft
from palaute_plugin.publication.models import FeedbackPublication

from .admin_fixtures import detail_url
from .answer_fixtures import submitted
from .publication_fixtures import proposed

pytestmark = pytest.mark.django_db

ANSWERS = "wagtailsnippets_palaute_plugin_answerdraft"
PUBLICATIONS = "wagtailsnippets_palaute_plugin_feedbackpublication"
STOP_BUTTONS = ('name="action-cancel-workflow"', 'name="action-restart-workflow"')


def edit_screen(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def offers_cancel(html):
    return 'name="action-cancel-workflow"' in html


@pytest.fixture
def answer(sensitive_case, handler):
    return submitted(sensitive_case, handler)


def test_an_approver_is_not_offered_cancelling_and_is_refused_it(client, answer, approver,
                                                                 handler):
    url = reverse(f"{ANSWERS}:edit", args=[answer.pk])
    assert not offers_cancel(edit_screen(client, approver, url))
    client.post(url, {"text": answer.text, "action-cancel-workflow": "1"})
    answer.refresh_from_db()
    assert answer.current_workflow_state.status == "in_progress"
    assert offers_cancel(edit_screen(client, handler, url))


def test_an_approver_cannot_withdraw_the_handlers_answer(client, answer, approver, handler):
    delete_url = reverse(f"{ANSWERS}:delete", args=[answer.pk])
    client.force_login(approver)
    # Wagtail's answer to a permission it does not give: back to the dashboard.
    assert client.get(delete_url)["Location"] == reverse("wagtailadmin_home")
    assert client.post(delete_url)["Location"] == reverse("wagtailadmin_home")
    assert AnswerDraft.objects.filter(pk=answer.pk).exists()
    edit = client.get(reverse(f"{ANSWERS}:edit", args=[answer.pk])).content.decode()
    assert delete_url not in edit
    client.force_login(handler)
    assert client.post(delete_url).status_code == 302
    assert not AnswerDraft.objects.filter(pk=answer.pk).exists()


def test_an_approver_who_handles_the_category_may_withdraw_as_its_writer(
        client, answer, handler, answer_approvers):
    handler.groups.add(answer_approvers)
    url = reverse(f"{ANSWERS}:edit", args=[answer.pk])
    assert offers_cancel(edit_screen(client, handler, url))


def test_a_moderator_is_not_offered_cancelling_a_proposal_and_is_refused_it(
        client, workflow, personal_case, handler, moderator):
    publication = proposed(personal_case, handler)
    url = reverse(f"{PUBLICATIONS}:edit", args=[publication.pk])
    html = edit_screen(client, moderator, url)
    assert not any(button in html for button in STOP_BUTTONS)
    # Approving and requesting changes remain theirs.
    assert 'data-workflow-action-name="approve"' in html
    assert 'data-workflow-action-name="reject"' in html
    client.post(url, {"title": publication.title, "text": publication.text,
                      "action-cancel-workflow": "1"})
    publication = FeedbackPublication.objects.get(pk=publication.pk)
    assert publication.current_workflow_state.status == "in_progress"
    assert offers_cancel(edit_screen(client, handler, url))



def in_finnish(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "fi"
    profile.save()
    return user


def test_wagtails_messages_around_the_workflows_are_finnish_in_finnish(
        client, workflow, personal_case, handler, moderator):
    """Wagtail 8.0's Finnish catalog lacks these: staff read "There are no … to display."
    and "Workflow on … has been cancelled." in English."""
    client.force_login(in_finnish(handler))
    empty = client.get(reverse(f"{PUBLICATIONS}:list")).content.decode()
    assert "Ei näytettävää (" in empty
    assert "There are no" not in empty
    publication = proposed(personal_case, handler)
    url = reverse(f"{PUBLICATIONS}:edit", args=[publication.pk])
    response = client.post(url, {"title": publication.title, "text": publication.text,
                                 "action-cancel-workflow": "1"}, follow=True)
    html = response.content.decode()
    assert "työnkulku peruttiin" in html
    assert "has been cancelled" not in html


def test_the_case_timeline_says_who_changed_the_answer_and_that_its_approval_was_cancelled(
        client, answer, approver, handler):
    from wagtail.models import ModelLogEntry

    from palaute_plugin.answers import log_actions

    url = reverse(f"{ANSWERS}:edit", args=[answer.pk])
    client.force_login(approver)
    client.post(url, {"text": answer.text})  # saved unchanged: no step
    client.post(url, {"text": "Vi hjälper dig gärna. Ring 016 123."})
    client.force_login(handler)
    client.post(url, {"text": "Vi hjälper dig gärna. Ring 016 123.",
                      "action-cancel-workflow": "1"})
    steps = ModelLogEntry.objects.for_instance(answer.feedback).filter(action__in=[
        log_actions.EDITED, log_actions.APPROVAL_CANCELLED]).order_by("pk")
    assert [(step.action, step.user_id, step.data.get("text")) for step in steps] == [
        (log_actions.EDITED, approver.pk, "Vi hjälper dig gärna. Ring 016 123."),
        (log_actions.APPROVAL_CANCELLED, handler.pk, None)]
    with translation.override("en"):
        timeline = client.get(detail_url(answer.feedback)).content.decode()
    assert "The answer&#x27;s text was changed" in timeline
    assert "The answer&#x27;s approval was cancelled: it waits to be resubmitted" in timeline


def test_an_approver_who_handles_another_category_still_cannot_withdraw_this_one(
        client, answer, approver, housing, answer_approvers):
    """Permissions are per user, the withdrawal is per answer: handling another category
    whose answers need approval gave the approver "delete" on every answer they approve."""
    housing.answer_approvers = answer_approvers
    housing.save()
    approver.groups.add(housing.handler_group)
    client.force_login(approver)
    delete_url = reverse(f"{ANSWERS}:delete", args=[answer.pk])
    assert client.get(delete_url)["Location"] == reverse("wagtailadmin_home")
    assert client.post(delete_url)["Location"] == reverse("wagtailadmin_home")
    assert AnswerDraft.objects.filter(pk=answer.pk).exists()
    edit = client.get(reverse(f"{ANSWERS}:edit", args=[answer.pk])).content.decode()
    assert delete_url not in edit


def test_autosave_adds_no_timeline_steps_and_the_saved_change_adds_one(client, answer,
                                                                       approver):
    """Wagtail's autosave (JSON, every moment of typing) is not a step; saving the form
    after it is, once, with the text as saved."""
    from wagtail.models import ModelLogEntry

    from palaute_plugin.answers import log_actions

    url = reverse(f"{ANSWERS}:edit", args=[answer.pk])
    client.force_login(approver)
    for text in ("Vi hjälper", "Vi hjälper dig gärna. Ring", "Vi hjälper dig gärna. Ring 016."):
        autosaved = client.post(url, {"text": text}, HTTP_ACCEPT="application/json")
        assert autosaved["Content-Type"] == "application/json"
    edited = ModelLogEntry.objects.for_instance(answer.feedback).filter(
        action=log_actions.EDITED)
    assert not edited.exists()
    client.post(url, {"text": "Vi hjälper dig gärna. Ring 016."})
    assert [step.data["text"] for step in edited] == ["Vi hjälper dig gärna. Ring 016."]
