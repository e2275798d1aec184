"""The free-form form page as residents use it: anti-spam, accessible fields, emails
through the outbox, the resident's receipt, and automatic routing into the feedback system."""

from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import TestCase
from wagtail.contrib.forms.models import FormSubmission

from palaute_plugin.models import Feedback, Notification
from palaute_plugin.public import antispam
from palaute_plugin.public.legacy import HONEYPOT_FIELD

from .admin_fixtures import handled_category
from .factories import feedback_page
from .legacy_fixtures import legacy_form, translated_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(responsible):
    return handled_category("Library", name_fi="Kirjasto", responsible_person=responsible)


@pytest.fixture
def form():
    return legacy_form()


def answers(**overrides):
    data = {"viesti": "Lehtiä puuttuu lukusalista.", "nimi": "Liisa Lukija",
            "sahkoposti": "liisa@example.com", "puhelin": "", HONEYPOT_FIELD: "",
            "form_token": antispam.issue_form_token()}
    data.update(overrides)
    return data


def post(client, page, data):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(page.url, data)


def test_form_renders_accessible_fields_and_antispam(client, form):
    html = client.get(form.url).content.decode()
    assert 'name="form_token"' in html
    assert f'name="{HONEYPOT_FIELD}"' in html
    assert '<label class="label" for="id_viesti">Viesti</label>' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_valid_post_saves_and_emails_through_the_outbox(client, form):
    response = post(client, form, answers())
    assert response.status_code == 200
    assert FormSubmission.objects.filter(page=form).count() == 1
    staff = [m for m in mail.outbox if m.to == ["kirjasto@tornio.example"]]
    resident = [m for m in mail.outbox if m.to == ["liisa@example.com"]]
    assert len(staff) == 1 and len(resident) == 1
    assert staff[0].subject == "Kirjaston palaute"
    assert "Lehtiä puuttuu lukusalista." in staff[0].body
    assert resident[0].subject == "Lomakkeesi on vastaanotettu: Kirjaston palaute"
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}
    assert not Feedback.objects.exists()


def test_smtp_down_loses_nothing(client, form):
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages",
                    side_effect=OSError("SMTP down")):
        response = post(client, form, answers())
    assert response.status_code == 200
    assert FormSubmission.objects.count() == 1
    rows = Notification.objects.order_by("recipient")
    assert [(n.recipient, n.state) for n in rows] == [
        ("kirjasto@tornio.example", "pending"), ("liisa@example.com", "pending")]


def test_receipt_in_the_pages_language(client, form):
    english = translated_form(form, "en", "Library feedback")
    post(client, english, answers())
    resident = [m for m in mail.outbox if m.to == ["liisa@example.com"]]
    assert resident[0].subject == "We received your form: Library feedback"


def test_no_email_no_receipt(client, form):
    post(client, form, answers(sahkoposti=""))
    assert [m.to for m in mail.outbox] == [["kirjasto@tornio.example"]]


def test_honeypot_looks_like_success_and_saves_nothing(client, form):
    response = post(client, form, answers(**{HONEYPOT_FIELD: "http://spam.example"}))
    assert response.status_code == 200
    assert not FormSubmission.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("token", ["", "forged", "a:b:c"])
def test_forged_token_is_refused_with_the_input_kept(client, form, token):
    response = post(client, form, answers(form_token=token))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Lomaketta ei voitu varmentaa" in html
    assert "Lehtiä puuttuu lukusalista." in html
    assert 'data-error-summary' in html
    assert not FormSubmission.objects.exists()


def test_missing_required_field_shows_error_summary(client, form):
    response = post(client, form, answers(viesti=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_viesti">' in html
    assert not FormSubmission.objects.exists()


def test_invalid_email_is_an_error(client, form):
    response = post(client, form, answers(sahkoposti="not-an-address"))
    assert response.status_code == 400
    assert not FormSubmission.objects.exists()


def test_script_in_text_is_escaped_in_emails_and_admin(client, form, admin_client):
    post(client, form, answers(viesti="<script>alert(1)</script>"))
    html_email = [m for m in mail.outbox if m.to == ["kirjasto@tornio.example"]][0]
    html = html_email.alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_rate_limit_applies(client, form, settings):
    settings.PALAUTE_RATE_LIMIT = "1/h"
    assert post(client, form, answers()).status_code == 200
    response = post(client, form, answers())
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert FormSubmission.objects.count() == 1


def test_csrf_is_required(form):
    client = __import__("django.test", fromlist=["Client"]).Client(enforce_csrf_checks=True)
    response = client.post(form.url, answers())
    assert response.status_code == 403
    assert not FormSubmission.objects.exists()


def test_auto_route_makes_a_case_with_one_receipt(client, library, responsible):
    feedback_page()
    page = legacy_form(feedback_category=library, feedback_message_field="Viesti",
                       feedback_email_field="Sähköposti", feedback_name_field="Nimi",
                       route_to_feedback=True)
    post(client, page, answers())
    case = Feedback.objects.get()
    submission = FormSubmission.objects.get()
    assert (case.channel, case.legacy_submission, case.assignee) == (
        "legacy_form", submission, responsible)
    resident = [m for m in mail.outbox if m.to == ["liisa@example.com"]]
    assert len(resident) == 1
    assert case.reference in resident[0].subject


def test_auto_route_with_a_broken_mapping_keeps_the_submission(client, library):
    page = legacy_form(feedback_category=library, feedback_message_field="Poistettu kenttä",
                       route_to_feedback=True)
    response = post(client, page, answers())
    assert response.status_code == 200
    assert FormSubmission.objects.count() == 1
    assert not Feedback.objects.exists()
    assert len([m for m in mail.outbox if m.to == ["liisa@example.com"]]) == 1


def test_routing_needs_a_category_and_message_field(library):
    page = legacy_form()
    page.route_to_feedback = True
    with pytest.raises(ValidationError, match="Valitse luokka ja viestikenttä"):
        page.full_clean()


def test_replayed_post_saves_and_emails_once(client, form):
    data = answers()
    assert post(client, form, data).status_code == 200
    assert post(client, form, data).status_code == 200
    assert FormSubmission.objects.count() == 1
    assert len([m for m in mail.outbox if m.to == ["liisa@example.com"]]) == 1
