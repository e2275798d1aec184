"""A moderator's "Do not publish": beside Wagtail's "Request changes" (which only sends the
draft back), a draft that should never be public is removed with a reason that its handler
reads; the case is unchanged and may be proposed again (acceptance test, 2026-12-03: a
moderator could only request changes, and the record stayed a draft until its handler
withdrew it)."""

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from wagtail.models import ModelLogEntry, Revision, WorkflowState

from palaute_plugin.models import Feedback
from palaute_plugin.publication import actions, log_actions
from palaute_plugin.publication.models import FeedbackPublication

from .admin_fixtures import detail_url
from .publication_fixtures import approve, proposed

pytestmark = pytest.mark.django_db

SNIPPET = "wagtailsnippets_palaute_plugin_feedbackpublication"
REASON = "Viesti koskee yksittäistä asukasta; ei julkaista."


def decline_url(publication):
    return reverse(f"{SNIPPET}:decline", args=[publication.pk])


def edit_url(publication):
    return reverse(f"{SNIPPET}:edit", args=[publication.pk])


def decline(client, publication, reason=REASON):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(decline_url(publication), {"reason": reason})


def test_the_moderator_declines_with_a_reason_the_handler_reads(
        workflow, client, moderator, handler, personal_case):
    publication = proposed(personal_case, handler)
    pk = publication.pk
    client.force_login(moderator)
    editor = client.get(edit_url(publication)).content.decode()
    assert f'href="{decline_url(publication)}"' in editor
    assert "Do not publish" in editor
    form = client.get(decline_url(publication))
    assert form.status_code == 200
    assert "Why is it not published?" in form.content.decode()
    mail.outbox.clear()

    response = decline(client, publication)
    assert response.status_code == 302
    assert response["Location"] == reverse(f"{SNIPPET}:list")
    assert not FeedbackPublication.objects.filter(pk=pk).exists()
    assert not Revision.objects.filter(object_id=str(pk), base_content_type__model__in=[
        "feedbackpublication"]).exists()
    assert not WorkflowState.objects.filter(object_id=str(pk)).exists()
    case = Feedback.objects.get(pk=personal_case.pk)
    assert case.status == personal_case.status  # the case itself is as it was
    entry = ModelLogEntry.objects.for_instance(case).get(action=log_actions.DECLINED)
    assert entry.user == moderator and entry.data["text"] == REASON
    told = [m for m in mail.outbox if m.to == [handler.email]]
    assert len(told) == 1
    assert told[0].subject == f"{case.reference} will not be published"
    assert REASON in told[0].body
    assert not [m for m in mail.outbox if m.to == ["maija@example.com"]]  # not the resident

    # The handler sees why on the case's timeline, and may propose it again.
    client.force_login(handler)
    screen = client.get(detail_url(case)).content.decode()
    assert "The moderator declined to publish the case" in screen
    assert REASON in screen
    again = proposed(case, handler)
    assert again.pk != pk


def test_a_reason_is_needed(workflow, client, moderator, handler, personal_case):
    publication = proposed(personal_case, handler)
    client.force_login(moderator)
    response = decline(client, publication, reason="   ")
    assert response.status_code == 200
    assert "Say why it is not published: the handler reads it." in response.content.decode()
    assert FeedbackPublication.objects.filter(pk=publication.pk).exists()


def test_a_handler_may_not_decline(workflow, client, handler, housing_handler, personal_case):
    publication = proposed(personal_case, handler)
    client.force_login(handler)
    assert f'href="{decline_url(publication)}"' not in client.get(
        edit_url(publication)).content.decode()
    for response in (client.get(decline_url(publication)), decline(client, publication)):
        # Wagtail's "no permission": back to the dashboard with its message.
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    client.force_login(housing_handler)  # not even told it exists
    assert decline(client, publication).status_code == 404
    assert FeedbackPublication.objects.filter(pk=publication.pk).exists()


def test_a_published_record_is_unpublished_not_declined(workflow, client, moderator,
                                                         handler, personal_case):
    publication = approve(proposed(personal_case, handler), moderator)
    client.force_login(moderator)
    assert f'href="{decline_url(publication)}"' not in client.get(
        edit_url(publication)).content.decode()
    refused = decline(client, publication)
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    assert FeedbackPublication.objects.get(pk=publication.pk).live
    assert not actions.can_decline(publication, moderator)


def test_a_handler_who_moderates_too_gets_no_email_of_their_own_decision(
        workflow, client, moderators, personal_case, handler):
    handler.groups.add(moderators)
    publication = proposed(personal_case, handler)
    client.force_login(handler)
    mail.outbox.clear()
    decline(client, publication)
    assert not FeedbackPublication.objects.exists()
    assert mail.outbox == []
