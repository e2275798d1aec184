"""The case actions on the staff's case screen, and feedback entered by staff."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image
from wagtail.models import ModelLogEntry

from palaute_plugin import actions
from palaute_plugin.models import Feedback, Notification, ResponseTemplate
from palaute_plugin.staff.forms import ACTION_FORMS
from palaute_plugin.staff.viewsets import feedback_viewset

from .admin_fixtures import admin_user, assert_sent_to_login, detail_url, in_english
from .factories import (
    CategoryFactory,
    FeedbackFactory,
    OtherAuthorityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGED_BY_SOMEONE_ELSE = "Someone else changed this feedback while you were looking at it."
NOTHING_CHANGED = "Nothing was changed: correct the errors below."


@pytest.fixture
def parks(streets):
    """A second category of the same handlers, with its own responsible person."""
    person = admin_user(username="park_boss", first_name="Pekka", last_name="Puisto")
    return CategoryFactory(handler_group=streets.handler_group, name_en="Parks",
                           responsible_person=person)


@pytest.fixture
def post_action(handler_client, django_capture_on_commit_callbacks):
    """POST an action as the handler, with the case's current version unless told."""

    def post(feedback, name, data=None, *, client=None, follow=True, **version):
        payload = {"expected_version": version.get("expected_version", feedback.version)}
        payload.update(data or {})
        with django_capture_on_commit_callbacks(execute=True):
            return (client or handler_client).post(
                action_url(feedback, name), payload, follow=follow)

    return post


def action_url(feedback, name):
    return reverse(feedback_viewset.get_url_name("action"), args=[feedback.pk, name])


def fresh(feedback):
    return Feedback.objects.get(pk=feedback.pk)


def unchanged(feedback):
    """The case in the database is exactly as it was (status, version, links)."""
    now = fresh(feedback)
    return (now.status, now.version, now.assignee_id, now.category_id, now.duplicate_of_id,
            now.redirected_to_id) == (
        feedback.status, feedback.version, feedback.assignee_id, feedback.category_id,
        feedback.duplicate_of_id, feedback.redirected_to_id)


def log_actions_of(feedback):
    return list(ModelLogEntry.objects.for_instance(feedback).values_list("action", flat=True))


def resident_mail(address="asukas@example.com"):
    return [message for message in mail.outbox if message.to == [address]]


def assert_back_on_the_case(response, feedback, text):
    """After success: redirected to the case with a message."""
    assert response.redirect_chain[-1] == (detail_url(feedback), 302)
    assert response.status_code == 200
    assert text in response.content.decode()


def assert_refused_on_the_case(response, text):
    """After a refused action: the case shown again with the error, the form still filled."""
    assert response.redirect_chain == []
    assert response.status_code == 200
    assert text in response.content.decode()


# --- the panel ------------------------------------------------------------------------


def test_urls_have_the_contract_names(street_case):
    assert action_url(street_case, "take") == f"/admin/palaute/{street_case.pk}/action/take/"
    assert reverse(feedback_viewset.get_url_name("add")) == "/admin/palaute/new/"


def test_every_action_has_a_form():
    assert set(ACTION_FORMS) == set(actions.ACTION_NAMES)


OPEN_CASE_ACTIONS_WITH_FIELDS = ("assign", "reply", "already_known", "work_list", "redirect",
                                 "resolve", "close", "reject", "change_category", "note")


def test_open_case_offers_each_of_its_actions(handler_client, street_case):
    content = handler_client.get(detail_url(street_case)).content.decode()
    for name in OPEN_CASE_ACTIONS_WITH_FIELDS:
        assert f'href="{action_url(street_case, name)}"' in content, name
    # "Take" is one button: the case screen holds its form, the header button submits it.
    assert f'action="{action_url(street_case, "take")}"' in content
    assert submits_form_of(content, "take")
    assert f'name="expected_version" value="{street_case.version}"' in content
    assert "csrfmiddlewaretoken" in content
    assert action_url(street_case, "reopen") not in content


@pytest.mark.parametrize("name", ("take",) + OPEN_CASE_ACTIONS_WITH_FIELDS)
def test_each_action_has_its_form_on_its_own_screen(handler_client, street_case, name):
    response = handler_client.get(action_url(street_case, name))
    assert response.status_code == 200
    content = response.content.decode()
    assert f'action="{action_url(street_case, name)}"' in content
    assert f'name="expected_version" value="{street_case.version}"' in content
    assert "csrfmiddlewaretoken" in content
    assert "palaute_plugin/js/admin-actions.js" in content
    assert f'href="{detail_url(street_case)}"' in content  # back to the case
    assert street_case.message in content  # what is being answered
    assert response.context["form"].name == name
    assert unchanged(street_case)


def test_closed_case_offers_reopen_and_not_resolve(handler_client, streets):
    case = FeedbackFactory(category=streets, status=Feedback.Status.RESOLVED)
    content = handler_client.get(detail_url(case)).content.decode()
    assert action_url(case, "reopen") in content
    assert action_url(case, "resolve") not in content
    assert action_url(case, "take") not in content


def header_of(content):
    """The case screen's header buttons (Wagtail's slim header), as HTML."""
    start = content.index('id="w-slim-header-buttons"')
    return content[start:content.index("</nav>", start)]


def submits_form_of(html, name):
    """Whether the HTML has a submit button for the case screen's form of the action."""
    buttons = re.findall(rf'<button[^>]*\bform="palaute-action-{name}"[^>]*>', html)
    return any('type="submit"' in button for button in buttons)


def labels(buttons):
    with translation.override("en"):
        return [str(button.label) for button in buttons]


def test_header_has_the_main_actions_and_a_menu_of_the_rest(handler_client, street_case):
    response = handler_client.get(detail_url(street_case))
    header = header_of(response.content.decode())
    assert labels(response.context["header_buttons"]) == [
        "Take this case", "Reply to the resident", "Resolve", "More actions"]
    assert submits_form_of(header, "take")
    assert f'href="{action_url(street_case, "reply")}"' in header
    assert f'href="{action_url(street_case, "resolve")}"' in header
    more = response.context["header_buttons"][-1]
    assert labels(more.dropdown_buttons) == [
        "Assign", "Already known", "Move to the work list", "Another authority's matter",
        "Close", "Reject as spam or inappropriate", "Change category", "Internal note"]
    for name in ("assign", "already_known", "work_list", "redirect", "close", "reject",
                 "change_category", "note"):
        assert f'href="{action_url(street_case, name)}"' in header, name


def test_header_of_a_closed_case_offers_reopen(handler_client, streets):
    case = FeedbackFactory(category=streets, status=Feedback.Status.RESOLVED)
    response = handler_client.get(detail_url(case))
    header = header_of(response.content.decode())
    assert submits_form_of(header, "reopen")
    assert f'action="{action_url(case, "reopen")}"' in response.content.decode()
    shown = labels(response.context["header_buttons"])
    assert "Reopen" in shown and "Resolve" not in shown and "Take this case" not in shown


def test_taken_case_has_no_take_button(handler_client, handler, streets):
    case = FeedbackFactory(category=streets, status=Feedback.Status.IN_PROGRESS,
                           assignee=handler)
    response = handler_client.get(detail_url(case))
    assert 'form="palaute-action-take"' not in response.content.decode()
    assert action_url(case, "take") not in response.content.decode()


def test_header_take_button_submits_the_case_screens_form(post_action, handler, street_case):
    """What the browser posts for the header button: the case screen's form of ``take``."""
    response = post_action(street_case, "take")
    assert_back_on_the_case(response, street_case,
                            f"You now handle feedback {street_case.reference}.")
    assert fresh(street_case).assignee == handler


def test_without_javascript_the_case_screen_lists_every_action(handler_client, street_case):
    content = handler_client.get(detail_url(street_case)).content.decode()
    start = content.index("<noscript>", content.index('class="palaute-case"'))
    fallback = content[start:content.index("</noscript>", start)]
    assert submits_form_of(fallback, "take")
    for name in OPEN_CASE_ACTIONS_WITH_FIELDS:
        assert f'href="{action_url(street_case, name)}"' in fallback, name


def test_assign_offers_only_the_categorys_handlers(handler_client, street_case, colleague,
                                                    housing_handler):
    content = handler_client.get(action_url(street_case, "assign")).content.decode()
    assert "Kalle Kollega" in content
    assert f'<option value="{housing_handler.pk}"' not in content


def test_get_on_an_action_not_available_now_returns_to_the_case(handler_client, street_case):
    response = handler_client.get(action_url(street_case, "reopen"), follow=True)
    assert response.redirect_chain == [(detail_url(street_case), 302)]
    assert "That action is not available for this case now." in response.content.decode()
    assert unchanged(street_case)


def test_get_on_an_unknown_or_unseen_action_is_404(handler_client, street_case, housing_case):
    assert handler_client.get(action_url(street_case, "delete")).status_code == 404
    assert handler_client.get(action_url(housing_case, "reply")).status_code == 404
    assert handler_client.get(action_url(housing_case, "take")).status_code == 404


def test_unknown_action_is_404(post_action, street_case):
    response = post_action(street_case, "delete", follow=False)
    assert response.status_code == 404
    assert unchanged(street_case)


# --- who may act ----------------------------------------------------------------------


def test_handler_of_another_category_gets_404_and_nothing_changes(post_action, housing_case):
    for name, data in (("take", {}), ("resolve", {"message": "Valmis."}),
                       ("note", {"text": "Hei"})):
        response = post_action(housing_case, name, data, follow=False)
        assert response.status_code == 404
    assert unchanged(housing_case)
    assert log_actions_of(housing_case) == []
    assert mail.outbox == []


def test_anonymous_user_is_sent_to_the_login(client, street_case):
    response = client.post(action_url(street_case, "take"),
                           {"expected_version": street_case.version})
    assert_sent_to_login(response)
    assert unchanged(street_case)


def test_post_without_csrf_token_is_refused(handler, street_case):
    client = Client(enforce_csrf_checks=True)
    client.force_login(handler)
    response = client.post(action_url(street_case, "take"),
                           {"expected_version": street_case.version})
    assert response.status_code == 403
    assert unchanged(street_case)


def test_stale_version_is_refused_and_nothing_changes(post_action, street_case):
    response = post_action(street_case, "resolve", {"message": "Korjattu."},
                           expected_version=street_case.version + 1)
    assert_refused_on_the_case(response, CHANGED_BY_SOMEONE_ELSE)
    assert unchanged(street_case)
    assert mail.outbox == []


def test_two_handlers_at_once_the_later_is_told(post_action, client, colleague, street_case):
    seen_version = street_case.version
    other = Client()
    other.force_login(colleague)
    post_action(street_case, "take", client=other, expected_version=seen_version)
    taken = fresh(street_case)
    assert taken.assignee == colleague

    response = post_action(street_case, "close", {"reason": "Ei toimenpiteitä."},
                           expected_version=seen_version)
    assert_refused_on_the_case(response, CHANGED_BY_SOMEONE_ELSE)
    assert unchanged(taken)


def test_after_a_conflict_the_form_has_the_current_version_and_the_retry_succeeds(
        post_action, client, colleague, street_case):
    seen_version = street_case.version
    other = Client()
    other.force_login(colleague)
    post_action(street_case, "note", {"text": "Tarkistan paikan."}, client=other,
                expected_version=seen_version)
    now = fresh(street_case)
    assert now.version == seen_version + 1

    response = post_action(street_case, "resolve", {"message": "Lamppu vaihdettu tänään."},
                           expected_version=seen_version)
    content = response.content.decode()
    assert_refused_on_the_case(response, CHANGED_BY_SOMEONE_ELSE)
    assert f'name="expected_version" value="{now.version}"' in content
    assert "Latest change: Internal note added (" in content
    assert colleague.get_full_name() in content
    assert "Lamppu vaihdettu tänään." in content  # the handler's text is kept
    assert fresh(street_case).status == Feedback.Status.NEW

    version = re.search(r'name="expected_version" value="(\d+)"', content).group(1)
    response = post_action(street_case, "resolve", {"message": "Lamppu vaihdettu tänään."},
                           expected_version=int(version))
    assert_back_on_the_case(response, street_case,
                            f"Feedback {street_case.reference} was resolved.")
    assert fresh(street_case).status == Feedback.Status.RESOLVED


def test_after_a_conflict_that_ended_the_action_the_case_is_shown(
        post_action, client, colleague, street_case):
    seen_version = street_case.version
    other = Client()
    other.force_login(colleague)
    post_action(street_case, "resolve", {"message": "Korjattu."}, client=other,
                expected_version=seen_version)
    response = post_action(street_case, "close", {"reason": "Ei toimenpiteitä."},
                           expected_version=seen_version)
    assert response.redirect_chain[-1] == (detail_url(street_case), 302)
    content = response.content.decode()
    assert CHANGED_BY_SOMEONE_ELSE in content
    assert "That action is not available for this case now." in content
    assert fresh(street_case).status == Feedback.Status.RESOLVED


# --- take and assign ------------------------------------------------------------------


def test_take(post_action, handler, street_case):
    response = post_action(street_case, "take")
    assert_back_on_the_case(response, street_case,
                            f"You now handle feedback {street_case.reference}.")
    case = fresh(street_case)
    assert case.assignee == handler
    assert case.status == Feedback.Status.IN_PROGRESS
    assert case.version == street_case.version + 1
    assert "palaute_plugin.assigned" in log_actions_of(case)
    assert resident_mail() == []


def test_assign_emails_the_assignee(post_action, colleague, street_case):
    response = post_action(street_case, "assign", {"assignee": colleague.pk})
    assert_back_on_the_case(response, street_case,
                            f"Feedback {street_case.reference} was assigned to Kalle Kollega.")
    case = fresh(street_case)
    assert case.assignee == colleague
    assert case.status == Feedback.Status.IN_PROGRESS
    assert "palaute_plugin.assigned" in log_actions_of(case)
    assert [m.to for m in mail.outbox] == [[colleague.email]]
    assert street_case.reference in mail.outbox[0].subject
    assert resident_mail() == []


def test_assign_without_a_person_changes_nothing(post_action, street_case):
    response = post_action(street_case, "assign", {"assignee": ""})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Choose a person." in content
    assert NOTHING_CHANGED in content
    assert unchanged(street_case)


def test_assign_to_someone_outside_the_category_changes_nothing(post_action, street_case,
                                                                  housing_handler):
    response = post_action(street_case, "assign", {"assignee": housing_handler.pk})
    assert "Choose a person who handles this category." in response.content.decode()
    assert unchanged(street_case)
    assert mail.outbox == []


def test_a_feedback_administrator_is_offered_and_can_be_assigned(handler_client, post_action,
                                                                  street_case):
    """The form lists whom the action accepts: administrators see every category."""
    chief = admin_user(username="chief", first_name="Kaisa", last_name="Päällikkö")
    chief.user_permissions.add(Permission.objects.get(codename="view_all_feedback"))
    content = handler_client.get(action_url(street_case, "assign")).content.decode()
    assert f'<option value="{chief.pk}">Kaisa Päällikkö</option>' in content
    response = post_action(street_case, "assign", {"assignee": chief.pk})
    assert_back_on_the_case(response, street_case,
                            f"Feedback {street_case.reference} was assigned to Kaisa Päällikkö.")
    assert fresh(street_case).assignee == chief
    assert [m.to for m in mail.outbox] == [[chief.email]]


# --- reply ----------------------------------------------------------------------------


def test_reply_emails_the_resident_and_puts_a_new_case_in_progress(post_action, street_case):
    response = post_action(street_case, "reply", {"message": "Korjaamme valon viikolla 12."})
    assert_back_on_the_case(response, street_case,
                            f"Your reply to {street_case.reference} was saved. "
                            "The resident is told by email.")
    case = fresh(street_case)
    assert case.status == Feedback.Status.IN_PROGRESS
    assert case.first_response_at is not None
    assert "palaute_plugin.replied" in log_actions_of(case)
    [message] = resident_mail()
    assert "Korjaamme valon viikolla 12." in message.body
    assert street_case.reference in message.subject


def test_reply_needs_text_or_a_template(post_action, street_case):
    response = post_action(street_case, "reply", {"message": "  "})
    assert "Write the reply or choose a response template." in response.content.decode()
    assert unchanged(street_case)
    assert mail.outbox == []


def test_reply_offers_the_categorys_templates_filled_in(handler_client, streets, housing,
                                                        street_case):
    ResponseTemplate.objects.create(title="Kiitos", text_fi="Kiitos palautteesta {reference}.")
    ResponseTemplate.objects.create(title="Valot", category=streets,
                                    text_fi="Valo korjataan ({category}).")
    ResponseTemplate.objects.create(title="Asunnot", category=housing, text_fi="Asunnot.")
    content = handler_client.get(action_url(street_case, "reply")).content.decode()
    assert f'data-text="Kiitos palautteesta {street_case.reference}."' in content
    assert f'data-text="Valo korjataan ({streets.name_fi})."' in content
    assert ">Asunnot<" not in content
    assert 'data-palaute-template-for="id_reply_message"' in content


def test_reply_with_only_a_template_sends_the_template(post_action, street_case):
    template = ResponseTemplate.objects.create(
        title="Kiitos", text_fi="Kiitos, {name}! Viite {reference}.", text_sv="Tack!")
    post_action(street_case, "reply", {"response_template": template.pk, "message": ""})
    [message] = resident_mail()
    assert f"Kiitos, ! Viite {street_case.reference}." in message.body


def test_reply_preview_shows_the_email_and_sends_nothing(post_action, street_case):
    template = ResponseTemplate.objects.create(title="Kiitos", text_fi="Kiitos {reference}.")
    response = post_action(street_case, "reply",
                           {"response_template": template.pk, "message": "", "preview": "1"})
    assert response.status_code == 200
    assert response.redirect_chain == []
    content = response.content.decode()
    assert "Preview: the email as the resident will get it" in content
    assert f"Kiitos {street_case.reference}." in content  # in the preview and the textarea
    assert "asukas@example.com" in content
    assert response.context["reply_preview"]["subject"] in content
    assert mail.outbox == []
    assert unchanged(street_case)


def test_reply_preview_escapes_the_text(post_action, street_case):
    response = post_action(street_case, "reply", {"message": "<b>hei</b>", "preview": "1"})
    content = response.content.decode()
    assert "&lt;b&gt;hei&lt;/b&gt;" in content
    assert "<b>hei</b>" not in content


# --- decisions ------------------------------------------------------------------------


def test_already_known_with_a_listed_case(post_action, streets, street_case):
    earlier = FeedbackFactory(category=streets, message="Sama valo.")
    response = post_action(street_case, "already_known",
                           {"earlier": earlier.pk, "message": "Tiedossa."})
    assert_back_on_the_case(
        response, street_case,
        f"Feedback {street_case.reference} was marked as already known "
        f"(earlier: {earlier.reference}).")
    case = fresh(street_case)
    assert case.status == Feedback.Status.ALREADY_KNOWN
    assert case.duplicate_of == earlier
    [message] = resident_mail()
    assert earlier.reference in message.body
    assert "Tiedossa." in message.body


def test_already_known_lists_nearby_cases_of_the_category(handler_client, streets, housing,
                                                          street_case):
    near = FeedbackFactory(category=streets, message="Lähellä.")
    other = FeedbackFactory(category=housing, message="Muu.")
    response = handler_client.get(action_url(street_case, "already_known"))
    form = response.context["form"]
    assert form.name == "already_known"
    assert [case.pk for case in form.candidates] == [near.pk]
    content = response.content.decode()
    assert f'value="{near.pk}"' in content
    assert other.reference not in content


def test_already_known_candidates_show_the_distance(handler_client, streets):
    case = FeedbackFactory(category=streets, latitude=65.8481, longitude=24.1466)
    FeedbackFactory(category=streets, latitude=65.8490, longitude=24.1466)  # ~100 m north
    content = handler_client.get(action_url(case, "already_known")).content.decode()
    assert "100 m away" in content


def test_already_known_by_reference(post_action, streets, street_case):
    earlier = FeedbackFactory(category=streets)
    post_action(street_case, "already_known", {"reference": f" {earlier.reference.lower()} "})
    assert fresh(street_case).duplicate_of == earlier


@pytest.mark.parametrize("listed", [0, 1])
def test_already_known_without_a_choice_changes_nothing(post_action, streets, street_case,
                                                        listed):
    FeedbackFactory.create_batch(listed, category=streets)
    response = post_action(street_case, "already_known", {"earlier": "", "reference": ""})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Choose the earlier case." in content
    assert NOTHING_CHANGED in content
    assert unchanged(street_case)
    assert mail.outbox == []


def test_already_known_refuses_unseen_and_itself(post_action, streets, street_case,
                                                 housing_case):
    FeedbackFactory(category=streets)  # something to list
    response = post_action(street_case, "already_known", {"reference": housing_case.reference})
    assert (f"No feedback you can see has the reference {housing_case.reference}."
            in response.content.decode())
    response = post_action(street_case, "already_known", {"reference": street_case.reference})
    assert "Choose another feedback than this one." in response.content.decode()
    response = post_action(street_case, "already_known", {"earlier": housing_case.pk})
    assert "That feedback cannot be chosen: choose one from the list." in (
        response.content.decode())
    assert unchanged(street_case)


def test_work_list_with_a_date(post_action, street_case):
    """Typed the Finnish way, as staff write dates (Wagtail's picker writes 2027-01-15)."""
    expected = timezone.localdate() + timedelta(days=40)
    response = post_action(street_case, "work_list",
                           {"expected_date": f"{expected:%d.%m.%Y}", "message": "Kesällä."})
    assert_back_on_the_case(response, street_case,
                            f"Feedback {street_case.reference} was moved to the work list.")
    case = fresh(street_case)
    assert case.status == Feedback.Status.WORK_LIST
    assert case.expected_date == expected
    [message] = resident_mail()
    assert "Kesällä." in message.body
    # Finnish, as the case
    assert f"Arvioitu valmistumispäivä: {expected.day}.{expected.month}.{expected.year}" in (
        message.body)


@pytest.mark.parametrize(("typed", "error"), [
    ("yesterday", "The expected date cannot be in the past: the resident is told it."),
    ("32.13.2026", "Enter the date as 15.1.2027 or 2027-01-15, or leave it empty.")])
def test_work_list_refuses_a_past_or_garbled_date_and_tells_no_one(
        post_action, street_case, typed, error):
    """A past date or one that is no date was sent to the resident as it was, or as
    today: now the form says why and nothing changes."""
    if typed == "yesterday":
        typed = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = post_action(street_case, "work_list", {"expected_date": typed, "message": ""})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert unchanged(street_case)
    assert resident_mail() == []


def test_redirect_tells_the_resident_the_authority(post_action, street_case):
    authority = OtherAuthorityFactory()
    response = post_action(street_case, "redirect", {"authority": authority.pk})
    assert_back_on_the_case(response, street_case,
                            f"Feedback {street_case.reference} was directed to")
    case = fresh(street_case)
    assert case.status == Feedback.Status.REDIRECTED
    assert case.redirected_to == authority
    [message] = resident_mail()
    assert authority.email in message.body
    assert authority.phone in message.body


def test_redirect_without_an_authority_changes_nothing(post_action, street_case):
    OtherAuthorityFactory()
    response = post_action(street_case, "redirect", {"authority": ""})
    assert "Choose an authority." in response.content.decode()
    assert unchanged(street_case)
    assert mail.outbox == []


def test_resolve_emails_the_answer(post_action, street_case):
    response = post_action(street_case, "resolve", {"message": "Lamppu vaihdettu."})
    assert_back_on_the_case(response, street_case,
                            f"Feedback {street_case.reference} was resolved.")
    case = fresh(street_case)
    assert case.status == Feedback.Status.RESOLVED
    assert case.closed_at is not None
    assert "palaute_plugin.status_changed" in log_actions_of(case)
    [message] = resident_mail()
    assert "Lamppu vaihdettu." in message.body


def test_resolve_and_close_offer_the_templates(handler_client, streets, street_case):
    ResponseTemplate.objects.create(title="Korjattu", category=streets,
                                    text_fi="Korjattu ({reference}).")
    for name, target in (("resolve", "id_resolve_message"), ("close", "id_close_reason")):
        content = handler_client.get(action_url(street_case, name)).content.decode()
        assert f'data-text="Korjattu ({street_case.reference})."' in content
        assert f'data-palaute-template-for="{target}"' in content


def test_resolve_with_a_template_is_one_action_and_one_email(post_action, streets):
    case = FeedbackFactory(category=streets, language="sv", contact_email="bo@example.com")
    template = ResponseTemplate.objects.create(
        title="Korjattu", category=streets, text_fi="Vika on korjattu ({reference}).",
        text_sv="Felet är åtgärdat ({reference}).")
    response = post_action(case, "resolve", {"response_template": template.pk, "message": ""})
    assert_back_on_the_case(response, case, f"Feedback {case.reference} was resolved.")
    assert fresh(case).status == Feedback.Status.RESOLVED
    assert len(mail.outbox) == 1
    [message] = resident_mail("bo@example.com")
    assert f"Felet är åtgärdat ({case.reference})." in message.body


def test_close_with_a_template(post_action, street_case):
    template = ResponseTemplate.objects.create(title="Ei kaupungin", text_fi="Ei kaupungin asia.")
    post_action(street_case, "close", {"response_template": template.pk, "reason": ""})
    assert fresh(street_case).status == Feedback.Status.CLOSED
    [message] = mail.outbox
    assert "Ei kaupungin asia." in message.body


def test_resident_email_is_in_the_residents_language(post_action, streets):
    case = FeedbackFactory(category=streets, language="sv", contact_email="bo@example.com")
    post_action(case, "resolve", {"message": "Lampan är bytt."})
    [message] = resident_mail("bo@example.com")
    assert "Referensnummer" in message.body
    assert "Gatubelysning" in message.body
    assert Notification.objects.get(feedback=case, to_resident=True).language == "sv"


def test_resolve_without_an_answer_changes_nothing(post_action, street_case):
    response = post_action(street_case, "resolve", {"message": ""})
    assert "Write the answer to the resident." in response.content.decode()
    assert unchanged(street_case)


def test_close_with_a_reason(post_action, street_case):
    post_action(street_case, "close", {"reason": "Ei kaupungin alueella."})
    assert fresh(street_case).status == Feedback.Status.CLOSED
    [message] = resident_mail()
    assert "Ei kaupungin alueella." in message.body


def test_close_without_a_reason_changes_nothing(post_action, street_case):
    response = post_action(street_case, "close", {"reason": ""})
    assert "Write the reason for closing." in response.content.decode()
    assert unchanged(street_case)


def test_reject_sends_no_email(post_action, street_case):
    response = post_action(street_case, "reject", {"reason": "Roskapostia"})
    assert_back_on_the_case(response, street_case, "The resident is not told.")
    assert fresh(street_case).status == Feedback.Status.REJECTED
    assert mail.outbox == []


def test_reopen_a_closed_case(post_action, streets):
    case = FeedbackFactory(category=streets, status=Feedback.Status.CLOSED)
    response = post_action(case, "reopen")
    assert_back_on_the_case(response, case, f"Feedback {case.reference} was reopened. "
                                            "The resident is told by email.")
    case = fresh(case)
    assert case.status == Feedback.Status.IN_PROGRESS
    assert case.closed_at is None
    [message] = resident_mail()  # they had been told it was closed
    assert f"Palautteesi käsittely jatkuu ({case.reference})" == message.subject


@pytest.mark.parametrize("status", ["resolved", "closed", "already_known", "redirected"])
def test_reopen_tells_the_resident_in_their_language(post_action, streets, status):
    case = FeedbackFactory(category=streets, status=status, language="sv",
                           contact_email="bo@example.com")
    post_action(case, "reopen")
    [message] = mail.outbox
    assert message.to == ["bo@example.com"]
    assert message.subject == f"Din respons behandlas igen ({case.reference})"
    assert "behandlas igen" in message.body
    assert Notification.objects.get(feedback=case, to_resident=True).language == "sv"


def test_reopen_of_a_rejected_case_tells_nobody(post_action, streets):
    case = FeedbackFactory(category=streets, status=Feedback.Status.REJECTED)
    response = post_action(case, "reopen")
    assert_back_on_the_case(response, case, f"Feedback {case.reference} was reopened.")
    assert "The resident is told by email." not in response.content.decode()
    assert fresh(case).status == Feedback.Status.IN_PROGRESS
    assert mail.outbox == []


def test_after_reopening_the_timeline_still_shows_the_links(post_action, handler_client,
                                                          streets, street_case):
    earlier = FeedbackFactory(category=streets, message="Sama lamppu.")
    post_action(street_case, "already_known", {"reference": earlier.reference})
    assert fresh(street_case).duplicate_of == earlier
    post_action(fresh(street_case), "reopen")
    case = fresh(street_case)
    assert case.duplicate_of is None
    content = handler_client.get(detail_url(case)).content.decode()
    assert f"(earlier feedback {earlier.reference})" in content
    assert f"(had been linked to earlier feedback {earlier.reference})" in content


def test_after_reopening_a_redirected_case_the_timeline_names_the_authority(
        post_action, handler_client, street_case):
    authority = OtherAuthorityFactory(name_fi="Lapin ELY-keskus")
    post_action(street_case, "redirect", {"authority": authority.pk})
    post_action(fresh(street_case), "reopen")
    content = handler_client.get(detail_url(street_case)).content.decode()
    assert "(had been directed to Lapin ELY-keskus)" in content


def test_reopen_an_open_case_is_refused(post_action, street_case):
    response = post_action(street_case, "reopen")
    assert_refused_on_the_case(response, "This cannot be done while the feedback is")
    assert unchanged(street_case)


def test_resolve_a_closed_case_is_refused(post_action, streets):
    case = FeedbackFactory(category=streets, status=Feedback.Status.CLOSED)
    response = post_action(case, "resolve", {"message": "Uudelleen."})
    assert_refused_on_the_case(response, "This cannot be done while the feedback is")
    assert unchanged(case)
    assert mail.outbox == []


# --- category and notes ---------------------------------------------------------------


def test_change_category_notifies_the_new_responsible_person(post_action, parks, street_case):
    response = post_action(street_case, "change_category", {"category": parks.pk})
    assert_back_on_the_case(response, street_case,
                            f"Feedback {street_case.reference} was moved to")
    case = fresh(street_case)
    assert case.category == parks
    assert case.assignee == parks.responsible_person
    assert case.status == street_case.status
    assert "palaute_plugin.category_changed" in log_actions_of(case)
    assert parks.responsible_person.email in [m.to[0] for m in mail.outbox]
    assert resident_mail() == []


def test_change_category_offers_every_active_city_category(handler_client, streets, parks,
                                                           housing, street_case):
    inactive = CategoryFactory(handler_group=streets.handler_group, active=False)
    elsewhere = CategoryFactory(other_authority=OtherAuthorityFactory())
    response = handler_client.get(action_url(street_case, "change_category"))
    form = response.context["form"]
    assert form.name == "change_category"
    offered = set(form.fields["category"].queryset)
    assert {parks, housing} <= offered and streets not in offered
    assert inactive not in offered and elsewhere not in offered


def test_handing_a_case_to_another_team_returns_to_the_inbox(post_action, housing,
                                                            housing_handler, street_case):
    response = post_action(street_case, "change_category", {"category": housing.pk})
    assert response.redirect_chain[-1][0] == reverse(feedback_viewset.get_url_name("index"))
    case = fresh(street_case)
    # Housing has no responsible person: the case waits unassigned and its team is told.
    assert case.category == housing and case.assignee is None
    assert [m.to for m in mail.outbox] == [[housing_handler.email]]


def test_note_is_internal(post_action, street_case):
    response = post_action(street_case, "note", {"text": "Soitin asukkaalle."})
    assert_back_on_the_case(response, street_case,
                            f"Your note was added to {street_case.reference}.")
    entry = ModelLogEntry.objects.for_instance(street_case).get(action="palaute_plugin.note")
    assert entry.data["text"] == "Soitin asukkaalle."
    assert fresh(street_case).status == Feedback.Status.NEW
    assert mail.outbox == []


def test_empty_note_changes_nothing(post_action, street_case):
    response = post_action(street_case, "note", {"text": ""})
    assert "Write the note." in response.content.decode()
    assert log_actions_of(street_case) == []


# --- staff entry ------------------------------------------------------------------------


CREATE_URL = feedback_viewset.get_url_name("add")


def jpeg_upload(name="photo.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "green").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def staff_entry(category, **overrides):
    data = {
        "channel": "phone", "kind": "feedback", "category": category.pk,
        "message": "Asukas soitti: katuvalo vilkkuu.", "address": "Länsiranta 5",
        "latitude": "", "longitude": "", "contact_name": "Maija Asukas",
        "contact_email": "maija@example.com", "contact_phone": "040 123 4567",
        "language": "fi",
    }
    data.update(overrides)
    return data


def test_index_has_a_new_feedback_button(handler_client):
    content = handler_client.get(reverse(feedback_viewset.get_url_name("index"))).content.decode()
    assert reverse(CREATE_URL) in content
    assert "New feedback" in content


def test_create_form_offers_staff_channels_and_visible_categories(handler_client, streets,
                                                                  housing):
    authority_category = CategoryFactory(handler_group=streets.handler_group,
                                         other_authority=OtherAuthorityFactory())
    response = handler_client.get(reverse(CREATE_URL))
    assert response.status_code == 200
    form = response.context["form"]
    assert [value for value, _label in form.fields["channel"].choices] == [
        "phone", "post", "service_point", "email"]
    assert list(form.fields["category"].queryset) == [streets]
    assert authority_category not in form.fields["category"].queryset
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_staff_entry_creates_a_routed_and_notified_case(
    handler_client, handler, streets, colleague, django_capture_on_commit_callbacks
):
    person = in_english(UserFactory(username="responsible"))
    streets.responsible_person = person
    streets.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = handler_client.post(
            reverse(CREATE_URL),
            staff_entry(streets, latitude="65.8481", longitude="24.1466",
                        photos=[jpeg_upload()]),
        )
    case = Feedback.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(case)
    assert case.channel == Feedback.Channel.PHONE
    assert case.category == streets
    assert case.assignee == person
    assert (case.latitude, case.longitude) == (65.8481, 24.1466)
    assert case.contact_name == "Maija Asukas"
    assert case.photos.count() == 1
    entry = ModelLogEntry.objects.for_instance(case).get(action="palaute_plugin.received")
    assert entry.user == handler
    recipients = {m.to[0] for m in mail.outbox}
    assert {"maija@example.com", person.email, colleague.email} <= recipients


def test_staff_entry_without_contact_or_place(handler_client, streets,
                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        handler_client.post(reverse(CREATE_URL), staff_entry(
            streets, channel="service_point", contact_name="", contact_email="",
            contact_phone="", address="", language="sv"))
    case = Feedback.objects.get()
    assert case.channel == Feedback.Channel.SERVICE_POINT
    assert case.language == "sv"
    assert not case.has_location
    assert resident_mail("maija@example.com") == []


def test_staff_entry_cannot_use_an_unseen_category(handler_client, housing):
    response = handler_client.post(reverse(CREATE_URL), staff_entry(housing))
    assert response.status_code == 200
    assert "Choose an active category you handle." in response.content.decode()
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("channel", ["web", "api", "legacy_form", ""])
def test_staff_entry_needs_a_staff_channel(handler_client, streets, channel):
    response = handler_client.post(reverse(CREATE_URL), staff_entry(streets, channel=channel))
    assert response.status_code == 200
    assert not Feedback.objects.exists()


def test_staff_entry_needs_both_coordinates(handler_client, streets):
    response = handler_client.post(reverse(CREATE_URL), staff_entry(streets, latitude="65.8"))
    assert "Give both the latitude and the longitude, or neither." in response.content.decode()
    assert not Feedback.objects.exists()


def test_staff_entry_says_to_choose_the_photos_again_after_another_error(
        handler_client, streets):
    """The photo was dropped without a word when another field was wrong."""
    response = handler_client.post(reverse(CREATE_URL), staff_entry(
        streets, latitude="65.8", photos=[jpeg_upload()]))
    content = response.content.decode()
    assert "Give both the latitude and the longitude, or neither." in content
    assert "Choose the photos again" in content
    assert not Feedback.objects.exists()
    response = handler_client.post(reverse(CREATE_URL), staff_entry(streets, latitude="65.8"))
    assert "Choose the photos again" not in response.content.decode()


def test_staff_entry_refuses_a_non_image(handler_client, streets):
    upload = SimpleUploadedFile("notes.jpg", b"not an image", content_type="image/jpeg")
    response = handler_client.post(reverse(CREATE_URL), staff_entry(streets, photos=[upload]))
    assert response.status_code == 200
    assert not Feedback.objects.exists()


def test_staff_entry_is_closed_to_users_without_categories(client):
    editor = admin_user(username="editor")
    client.force_login(editor)
    response = client.get(reverse(CREATE_URL))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")


def test_staff_entry_sends_anonymous_users_to_login(client):
    response = client.get(reverse(CREATE_URL))
    assert_sent_to_login(response)


def test_a_refused_answer_is_kept_for_sending_again(post_action, street_case):
    answer = "Pitkä vastaus, jota ei saa hukata."
    response = post_action(street_case, "resolve", {"message": answer},
                           expected_version=street_case.version + 5)
    assert_refused_on_the_case(response, CHANGED_BY_SOMEONE_ELSE)
    assert answer in response.content.decode()
    assert unchanged(street_case)
