"""Erasure (a resident's request or retention) reaches the case's publication: one never
published goes with its revisions and workflow; a published one keeps only what was
published, in every revision. Read back from the database as stored (revision JSON)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import TestCase
from django.utils import timezone
from wagtail.models import Revision, TaskState, WorkflowState

from palaute_plugin.insights import data_requests, retention
from palaute_plugin.models import Feedback
from palaute_plugin.publication.log_entries import PublicationLogEntry
from palaute_plugin.publication.models import FeedbackPublication

from .factories import FeedbackFactory
from .publication_fixtures import approve, proposed

pytestmark = pytest.mark.django_db

#: A neighbour's name: not the resident's own, so the redactor leaves it in the draft.
MISSED = "Ville Virtanen"
CLEAN_TEXT = "Katuvalo ei pala Kauppakadulla."


@pytest.fixture
def leaky_case(streets):
    return FeedbackFactory(
        category=streets, contact_name="Maija Meikäläinen", contact_email="maija@example.com",
        message=f"Naapurini {MISSED} sanoi, että katuvalo ei pala Kauppakadulla.")


def stored_revision_json(publication_pk):
    """Every revision of the publication as the database holds it (text, not objects)."""
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(FeedbackPublication)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT content, object_str FROM wagtailcore_revision "
            "WHERE base_content_type_id = %s AND object_id = %s",
            [content_type.pk, str(publication_pk)])
        return [f"{content} {object_str}" for content, object_str in cursor.fetchall()]


def erase(case, user=None):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return data_requests.erase([Feedback.objects.get(pk=case.pk)], user=user)


def test_the_redactor_leaves_the_neighbours_name_in_the_draft(workflow, handler, leaky_case):
    publication = proposed(leaky_case, handler)
    assert MISSED in publication.text
    assert any(MISSED in text for text in stored_revision_json(publication.pk))


@pytest.mark.parametrize("state", ["in_review", "needs_changes", "not_submitted"])
def test_erasure_deletes_a_never_published_publication_with_its_revisions(
        workflow, handler, moderator, leaky_case, state):
    publication = proposed(leaky_case, handler)
    publication.title = f"Valo ja {MISSED}"
    publication.save_revision(user=handler)
    workflow_state = publication.current_workflow_state
    if state == "needs_changes":
        workflow_state.current_task_state.reject(user=moderator, comment=f"Poista {MISSED}")
    elif state == "not_submitted":
        workflow_state.cancel(user=handler)
    pk = publication.pk
    assert len(stored_revision_json(pk)) == 2

    erased, on_hold = erase(leaky_case)

    assert (erased, on_hold) == ([leaky_case.reference], [])
    assert not FeedbackPublication.objects.filter(pk=pk).exists()
    assert stored_revision_json(pk) == []
    assert not WorkflowState.objects.filter(object_id=str(pk),
                                            content_type__model="feedbackpublication").exists()
    assert not TaskState.objects.filter(workflow_state__object_id=str(pk)).exists()
    labels = list(PublicationLogEntry.objects.filter(object_id=str(pk))
                  .values_list("label", "data"))
    assert labels and MISSED not in str(labels)
    assert {label for label, _data in labels} == {leaky_case.reference}
    # The case's own history says what happened to it.
    entry = leaky_case.__class__.objects.get(pk=leaky_case.pk)
    from wagtail.models import ModelLogEntry

    from palaute_plugin.insights.log_actions import PERSONAL_DATA_REMOVED

    assert ModelLogEntry.objects.for_instance(entry).get(
        action=PERSONAL_DATA_REMOVED).data["publication"] == "deleted"


def test_erasure_keeps_a_published_record_and_scrubs_its_other_revisions(
        client, workflow, handler, moderator, leaky_case):
    publication = proposed(leaky_case, handler)  # the proposal's revision holds the name
    publication.text = CLEAN_TEXT
    publication.title = "Katuvalo ei pala"
    publication.save_revision(user=moderator)
    publication = approve(publication, moderator)
    assert publication.live and publication.text == CLEAN_TEXT
    live_revision_id = publication.live_revision_id
    # A newer draft, back in review, quotes the neighbour again.
    publication.text = f"{CLEAN_TEXT} {MISSED} kertoi."
    publication.save_revision(user=moderator)
    workflow.start(publication, moderator)
    assert sum(MISSED in text for text in stored_revision_json(publication.pk)) == 2

    erase(leaky_case)

    publication = FeedbackPublication.objects.get(pk=publication.pk)
    assert publication.live and publication.live_revision_id == live_revision_id
    assert (publication.title, publication.text) == ("Katuvalo ei pala", CLEAN_TEXT)
    assert not publication.has_unpublished_changes
    stored = stored_revision_json(publication.pk)
    assert len(stored) == 3 and not any(MISSED in text for text in stored)
    assert {Revision.objects.get(pk=pk).as_object().text
            for pk in publication.revisions.values_list("pk", flat=True)} == {CLEAN_TEXT}
    assert publication.current_workflow_state is None
    assert publication.workflow_states.filter(status=WorkflowState.STATUS_CANCELLED).exists()
    assert FeedbackPublication.objects.public().filter(pk=publication.pk).exists()
    assert MISSED not in str(list(PublicationLogEntry.objects.filter(
        object_id=str(publication.pk)).values_list("label", "data")))
    # Its screens still open (Wagtail copes with the cancelled workflow).
    client.force_login(moderator)
    from django.urls import reverse

    for name in ("edit", "history", "revisions_compare"):
        args = [publication.pk] if name != "revisions_compare" else [
            publication.pk, live_revision_id, "latest"]
        url = reverse(f"wagtailsnippets_palaute_plugin_feedbackpublication:{name}", args=args)
        response = client.get(url)
        assert response.status_code == 200, name
        assert MISSED not in response.content.decode(), name


def test_erasure_deletes_a_publication_unpublished_since(workflow, handler, moderator,
                                                       leaky_case):
    publication = approve(proposed(leaky_case, handler), moderator)
    publication.get_latest_revision().publish(user=moderator)
    from wagtail.actions.unpublish import UnpublishAction

    UnpublishAction(publication, user=moderator).execute(skip_permission_checks=True)
    publication.refresh_from_db()
    assert not publication.live and publication.first_published_at is not None
    erase(leaky_case)
    assert not FeedbackPublication.objects.filter(pk=publication.pk).exists()
    assert stored_revision_json(publication.pk) == []


def test_retention_deletes_a_never_published_publication_too(workflow, handler, leaky_case):
    publication = proposed(leaky_case, handler)
    Feedback.objects.filter(pk=leaky_case.pk).update(
        status=Feedback.Status.RESOLVED, closed_at=timezone.now() - timedelta(days=31 * 25))
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = retention.apply()
    assert done["contact"] == 1
    assert not FeedbackPublication.objects.filter(pk=publication.pk).exists()
    assert stored_revision_json(publication.pk) == []


def test_a_case_without_a_publication_is_erased_as_before(streets):
    case = FeedbackFactory(category=streets, contact_email="maija@example.com")
    assert erase(case) == ([case.reference], [])
    assert Feedback.objects.get(pk=case.pk).contact_email == ""


@pytest.mark.parametrize(("cancel_first", "said"), [(False, True), (True, False)])
def test_the_case_history_says_an_erasure_cancelled_a_review(workflow, handler, leaky_case,
                                                            cancel_first, said):
    """Acceptance test 2026-12-03: an erasure cancelled a handler's draft under review
    without a word in the case's history."""
    from wagtail.models import ModelLogEntry

    from palaute_plugin.insights.log_actions import PERSONAL_DATA_REMOVED

    publication = proposed(leaky_case, handler)
    if cancel_first:
        publication.current_workflow_state.cancel(user=handler)
    erase(leaky_case)
    entry = ModelLogEntry.objects.for_instance(leaky_case).get(action=PERSONAL_DATA_REMOVED)
    assert ("Asian julkisen tiedon tarkastus peruttiin." in entry.message) is said
