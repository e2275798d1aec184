"""The moderated public record: proposing, Wagtail's workflow, the case following."""

import json

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import translation
from django.utils.text import Truncator
from wagtail.models import ModelLogEntry, Revision

from palaute_plugin import actions
from palaute_plugin.actions import ActionError, NotAllowed
from palaute_plugin.models import Feedback
from palaute_plugin.publication import log_actions
from palaute_plugin.publication.actions import TITLE_CHARS, propose
from palaute_plugin.publication.models import FeedbackPublication

from .factories import FeedbackFactory
from .publication_fixtures import approve, proposed

pytestmark = pytest.mark.django_db


def case_log_actions(case):
    return list(ModelLogEntry.objects.for_instance(case).order_by("pk")
                .values_list("action", flat=True))


def test_propose_creates_a_redacted_draft_in_the_workflow(workflow, handler, personal_case):
    publication = proposed(personal_case, handler)
    assert not publication.live
    assert publication.reference == personal_case.reference
    assert "[poistettu]" in publication.text
    for personal in ("Maija", "Meikäläinen", "maija@example.com", "040 123 4567",
                     "131052-308T", "ABC-123"):
        assert personal not in publication.text and personal not in publication.title
    assert (publication.latitude, publication.longitude) == (65.846, 24.144)  # coarsened
    # The message's first line, without the topic's name in the resident's language.
    assert publication.title == Truncator(
        publication.text.splitlines()[0]).chars(TITLE_CHARS)
    assert personal_case.category.name_fi not in publication.title
    state = publication.current_workflow_state
    assert state.workflow == workflow and state.status == state.STATUS_IN_PROGRESS
    assert log_actions.PROPOSED in case_log_actions(personal_case)


def test_no_personal_data_in_revisions(workflow, handler, moderator, personal_case):
    publication = approve(proposed(personal_case, handler), moderator)
    revisions = Revision.objects.for_instance(publication)
    assert revisions.exists()
    for revision in revisions:
        content = json.dumps(revision.content, ensure_ascii=False)
        for personal in ("Maija", "maija@example.com", "040 123 4567", "131052-308T",
                         "ABC-123", "contact", "65.846312"):
            assert personal not in content


def test_approval_publishes_and_logs_in_the_case(workflow, handler, moderator, personal_case):
    publication = approve(proposed(personal_case, handler), moderator)
    assert publication.live and publication.first_published_at
    assert FeedbackPublication.objects.public().filter(pk=publication.pk).exists()
    assert log_actions.PUBLISHED in case_log_actions(personal_case)


def test_request_changes_returns_it_and_logs_the_comment(workflow, handler, moderator,
                                                         personal_case):
    publication = proposed(personal_case, handler)
    assert [m.to for m in mail.outbox if publication.title in m.subject] == [[moderator.email]]
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        publication.current_workflow_state.current_task_state.reject(
            user=moderator, comment="Poista osoite.")
    publication.refresh_from_db()
    assert not publication.live
    assert publication.workflow_states.get().status == "needs_changes"
    entry = ModelLogEntry.objects.for_instance(personal_case).get(
        action=log_actions.CHANGES_REQUESTED)
    assert entry.data["text"] == "Poista osoite."
    # Wagtail's own notification tells the handler who submitted it.
    assert [m.to for m in mail.outbox if publication.title in m.subject] == [[handler.email]]


def test_declined_rejected_other_category_and_twice_are_refused(workflow, handler,
                                                                housing_handler,
                                                                personal_case, streets):
    with translation.override("en"):  # the messages' English msgids
        declined = FeedbackFactory(category=streets, publish_consent=False)
        with pytest.raises(ActionError, match="not published"):
            propose(declined, user=handler)
        rejected = FeedbackFactory(category=streets, status=Feedback.Status.REJECTED)
        with pytest.raises(ActionError, match="never published"):
            propose(rejected, user=handler)
        with pytest.raises(NotAllowed):
            propose(personal_case, user=housing_handler)
        proposed(personal_case, handler)
        with pytest.raises(ActionError, match="already"):
            propose(personal_case, user=handler)
        assert FeedbackPublication.objects.count() == 1


def test_shown_status_follows_the_case_without_moderation(workflow, handler, moderator,
                                                          personal_case):
    publication = approve(proposed(personal_case, handler), moderator)
    # A pending draft must not roll the status back when it is approved later.
    publication.title = "Uusi otsikko"
    publication.save_revision(user=handler)
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.resolve(personal_case, user=handler, message="Korjattu.")
    publication.refresh_from_db()
    assert publication.shown_status == Feedback.Status.RESOLVED
    publication.get_latest_revision().publish(user=moderator)
    publication.refresh_from_db()
    assert (publication.title, publication.shown_status) == ("Uusi otsikko",
                                                             Feedback.Status.RESOLVED)


def test_rejected_case_is_hidden_at_once(workflow, handler, moderator, personal_case):
    publication = approve(proposed(personal_case, handler), moderator)
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.reject(personal_case, user=handler, reason="Asiaton")
    assert not FeedbackPublication.objects.public().filter(pk=publication.pk).exists()


def test_approving_personal_data_needs_a_confirmation_from_the_dashboard(
        client, workflow, handler, moderator, personal_case):
    from django.urls import reverse

    publication = proposed(personal_case, handler)
    publication.text = "Ota yhteyttä: maija@example.com"
    publication.save_revision(user=handler)
    task_state = publication.current_workflow_state.current_task_state
    task = task_state.task.specific
    with translation.override("en"):
        actions_offered = [(name, str(label), modal)
                           for name, label, modal in task.get_actions(publication, moderator)]
    assert ("approve", "Approve despite the personal data warning", True) in actions_offered
    assert ("approve", "Approve", False) not in actions_offered
    url = reverse("wagtailsnippets_palaute_plugin_feedbackpublication:workflow_action",
                  args=[publication.pk, "approve", task_state.pk])
    client.force_login(moderator)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(url, {"comment": ""})
    publication.refresh_from_db()
    assert not publication.live
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(url, {"comment": "", "personal_data_checked": "on"})
    publication.refresh_from_db()
    assert publication.live


def test_clean_text_is_approved_without_a_confirmation(client, workflow, handler, moderator,
                                                       personal_case):
    from django.urls import reverse

    publication = proposed(personal_case, handler)
    task_state = publication.current_workflow_state.current_task_state
    with translation.override("en"):
        assert ("approve", "Approve", False) in [
            (name, str(label), modal) for name, label, modal
            in task_state.task.specific.get_actions(publication, moderator)]
    client.force_login(moderator)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse(
            "wagtailsnippets_palaute_plugin_feedbackpublication:workflow_action",
            args=[publication.pk, "approve", task_state.pk]))
    publication.refresh_from_db()
    assert publication.live


@pytest.mark.parametrize("language, submitted, returned", [
    ("fi", 'Palautteen julkaisu "{title}" on lähetetty hyväksyttäväksi moderointivaiheeseen',
     'Palautteen julkaisu "{title}" on palautettu muutettavaksi'),
    ("sv", 'Publicering av respons "{title}" har skickats för godkännande till '
           "moderationsstadiet",
     'Publicering av respons "{title}" har skickats tillbaka för ändringar i'),
])
def test_wagtails_workflow_emails_are_in_the_staff_members_language_with_a_working_preview(
        client, settings, workflow, handler, moderator, personal_case, language, submitted,
        returned):
    from wagtail.users.models import UserProfile

    settings.WAGTAILADMIN_BASE_URL = "https://palaute.example.fi"
    settings.WAGTAILADMIN_NOTIFICATION_USE_HTML = True
    for user in (handler, moderator):
        UserProfile.objects.filter(user=user).update(preferred_language=language)
    publication = proposed(personal_case, handler)
    title = str(publication)
    (to_moderator,) = [m for m in mail.outbox if m.to == [moderator.email]]
    assert to_moderator.subject.startswith(submitted.format(title=title))
    body = to_moderator.body
    assert submitted.format(title=title) in body and "has been" not in body
    # Wagtail's Finnish put the name in the wrong case ("Voit muokata palautteen julkaisu").
    assert {"fi": "Voit muokata kohdetta (palautteen julkaisu) täällä:",
            "sv": "Du kan redigera objektet (publicering av respons) här:"}[language] in body
    # The preview link opens the moderator's preview (Wagtail's template left out the task).
    preview = body.split("https://palaute.example.fi", 2)[1].split()[0]
    task_id = publication.current_workflow_state.current_task_state.task_id
    assert preview == (f"/admin/snippets/palaute_plugin/feedbackpublication/workflow/preview/"
                       f"{publication.pk}/{task_id}/")
    client.force_login(moderator)
    assert client.get(preview).status_code == 200
    html = to_moderator.alternatives[0][0]
    assert f'href="https://palaute.example.fi{preview}"' in html

    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        publication.current_workflow_state.current_task_state.reject(user=moderator,
                                                                     comment="Poista osoite.")
    (to_handler,) = [m for m in mail.outbox if m.to == [handler.email]]
    assert to_handler.subject.startswith(returned.format(title=title))
    assert returned.format(title=title) in to_handler.body
    assert "has been" not in to_handler.subject + to_handler.body


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_wagtails_workflow_screens_lacking_finnish_and_swedish_are_translated(language):
    """Sentences of Wagtail's screens its 8.0 catalogs lack are in ours (they showed in
    English: "Go to the first error", "Task submitted by"...)."""
    from palaute_plugin.publication.wagtail_strings import (
        WAGTAIL_ADMIN_SCREENS,
        WAGTAIL_WORKFLOW_EMAILS,
    )

    with translation.override(language):
        for msgid in (*WAGTAIL_ADMIN_SCREENS, *WAGTAIL_WORKFLOW_EMAILS):
            assert translation.gettext(msgid) != msgid, msgid
        assert translation.gettext("Go to the first error") == {
            "fi": "Siirry ensimmäiseen virheeseen", "sv": "Gå till det första felet"}[language]


def test_wagtails_finnish_that_read_wrongly_is_corrected():
    """ "Mallin Palautteen julkaisu '…' päivitetty." and an English dashboard search box."""
    from palaute_plugin.publication.wagtail_strings import WAGTAIL_FINNISH_CORRECTED

    with translation.override("fi"):
        said = [translation.gettext(msgid) for msgid in WAGTAIL_FINNISH_CORRECTED]
    assert said == ["Kohde (%(model_name)s) '%(object)s' päivitettiin.",
                    "Kohde (%(model_name)s) '%(object)s' luotiin.", "Hae kaikilta sivuilta…"]


def test_the_inboxs_bulk_selection_counter_is_finnish_in_finnish():
    """Wagtail's Finnish said "2 items tietuetta valittu"; the admin's JavaScript gets
    its words from ``get_js_translation_strings`` (wagtailConfig.STRINGS)."""
    from wagtail.admin.localization import get_js_translation_strings

    with translation.override("fi"):
        item = get_js_translation_strings()["BULK_ACTIONS"]["ITEM"]
    assert item["PLURAL"] == "%(objects)s tietuetta valittu"
    assert item["SINGULAR"] == "1 tietue valittu"


def test_a_case_moved_to_another_category_takes_its_public_record_along(
        workflow, handler, moderator, personal_case, housing, client):
    """Acceptance test 2026-12-03: the record stayed under the old topic on the public page,
    and the new category's handlers saw it labelled with the old one."""
    publication = approve(proposed(personal_case, handler), moderator)
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.change_category(personal_case, user=handler, category=housing)
    publication.refresh_from_db()
    assert publication.category_id == housing.pk
    latest = publication.get_latest_revision_as_object()
    assert latest.category_id == housing.pk
    assert FeedbackPublication.objects.public().filter(category=housing).count() == 1
