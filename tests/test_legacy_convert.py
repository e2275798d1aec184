"""Converting free-form form submissions into cases: the listing, the form, the rules."""

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.contrib.forms.models import FormSubmission

from palaute_plugin.legacy.convert import ConversionError, Mapping, convert
from palaute_plugin.models import Feedback

from .admin_fixtures import detail_url, handled_category, handler_of
from .factories import feedback_page
from .legacy_fixtures import (
    legacy_form,
    may_edit_forms,
    run_commits,
    submission_of,
    translated_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(responsible):
    return handled_category("Library", name_fi="Kirjasto", name_sv="Bibliotek",
                            name_en="Library", responsible_person=responsible)


@pytest.fixture
def librarian(library):
    return handler_of(library, username="kirjastonhoitaja", email="hoitaja@tornio.example")


@pytest.fixture
def form(library, librarian):
    feedback_page()
    page = legacy_form(feedback_category=library, feedback_message_field="Viesti",
                       feedback_name_field="Nimi", feedback_email_field="Sähköposti",
                       feedback_phone_field="Puhelin")
    may_edit_forms(library.handler_group, page)
    return page


def convert_url(page, *ids):
    query = "&".join(f"selected-submissions={pk}" for pk in ids)
    return reverse("palaute_legacy_convert", args=[page.pk]) + "?" + query


def post_convert(client, page, ids, **data):
    values = {"category": "", "kind": "feedback", "message_field": "viesti",
              "name_field": "nimi", "email_field": "sahkoposti", "phone_field": "puhelin",
              "selected-submissions": [str(pk) for pk in ids]}
    values.update(data)
    return run_commits(client.post, reverse("palaute_legacy_convert", args=[page.pk]), values)


def test_listing_offers_conversion_and_shows_converted_case(client, form, library, librarian):
    first, second = submission_of(form), submission_of(form, viesti="Toinen viesti")
    case = convert(form, [first], form.feedback_mapping())[0]
    client.force_login(librarian)
    response = client.get(reverse("wagtailforms:list_submissions", args=[form.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"case {case.reference}" in html
    assert detail_url(case) in html
    assert convert_url(form, second.pk) in html
    assert "Convert selected into feedback" in html


def test_form_prefilled_from_the_saved_mapping(client, form, library, librarian):
    submission = submission_of(form)
    client.force_login(librarian)
    response = client.get(convert_url(form, submission.pk))
    assert response.status_code == 200
    bound = response.context["form"]
    assert bound["category"].value() == library.pk
    assert bound["message_field"].value() == "viesti"
    assert bound["email_field"].value() == "sahkoposti"
    assert "Lehtiä puuttuu lukusalista." in response.content.decode()


def test_conversion_creates_routed_cases_with_receipts(client, form, library, librarian,
                                                       responsible):
    first = submission_of(form)
    second = submission_of(form, viesti="Aukioloajat", sahkoposti="")
    client.force_login(librarian)
    response = post_convert(client, form, [first.pk, second.pk], category=str(library.pk),
                            kind="question")
    assert response.status_code == 302
    cases = list(Feedback.objects.order_by("pk"))
    assert [c.legacy_submission_id for c in cases] == [first.pk, second.pk]
    case = cases[0]
    assert (case.channel, case.kind, case.category, case.assignee) == (
        "legacy_form", "question", library, responsible)
    assert (case.message, case.contact_name, case.contact_email, case.contact_phone) == (
        "Lehtiä puuttuu lukusalista.", "Liisa Lukija", "liisa@example.com", "040 765 4321")
    assert case.language == "fi"
    resident = [m for m in mail.outbox if m.to == ["liisa@example.com"]]
    assert len(resident) == 1
    assert case.reference in resident[0].subject
    assert any(m.to == ["vastaava@tornio.example"] for m in mail.outbox)
    listing = client.get(reverse("wagtailforms:list_submissions", args=[form.pk]))
    assert listing.content.decode().count("converted →") == 2


def test_receipt_in_the_form_pages_language(client, form, library, librarian):
    swedish = translated_form(form, "sv", "Bibliotekets respons")
    may_edit_forms(library.handler_group, swedish)
    submission = submission_of(swedish)
    client.force_login(librarian)
    post_convert(client, swedish, [submission.pk], category=str(library.pk))
    case = Feedback.objects.get()
    assert case.language == "sv"
    resident = [m for m in mail.outbox if m.to == ["liisa@example.com"]]
    assert resident[0].subject.startswith("Din respons har tagits emot")


def test_converting_twice_is_refused(client, form, library, librarian):
    submission = submission_of(form)
    client.force_login(librarian)
    post_convert(client, form, [submission.pk], category=str(library.pk))
    mail.outbox.clear()
    response = post_convert(client, form, [submission.pk], category=str(library.pk))
    assert response.status_code == 400
    assert "Already converted into feedback" in response.content.decode()
    assert Feedback.objects.count() == 1
    assert mail.outbox == []


def test_category_the_user_does_not_handle_is_refused(client, form, librarian):
    other = handled_category("Streets", name_en="Streets")
    submission = submission_of(form)
    client.force_login(librarian)
    response = post_convert(client, form, [submission.pk], category=str(other.pk))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Feedback.objects.exists()
    with pytest.raises(ConversionError):
        convert(form, [submission], Mapping(category=other, message_field="viesti"),
                user=librarian)
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(("data", "message"), [
    ({"message_field": "puuttuva"}, "The form has no field “puuttuva”"),
    ({"message_field": ""}, "Choose the field that holds the message."),
])
def test_mapping_to_a_missing_field_creates_nothing(client, form, library, librarian, data,
                                                    message):
    submission = submission_of(form)
    client.force_login(librarian)
    response = post_convert(client, form, [submission.pk], category=str(library.pk), **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Feedback.objects.exists()


def test_empty_message_creates_nothing_of_the_batch(client, form, library, librarian):
    good, empty = submission_of(form), submission_of(form, viesti="  ")
    client.force_login(librarian)
    response = post_convert(client, form, [good.pk, empty.pk], category=str(library.pk))
    assert response.status_code == 400
    assert f"Submission {empty.pk} has no message in the field “Viesti”" in (
        response.content.decode())
    assert not Feedback.objects.exists()
    assert mail.outbox == []


def test_form_the_user_may_not_see_is_404(client, form, library):
    outsider = handler_of(handled_category("Streets"), username="katu")
    submission = submission_of(form)
    client.force_login(outsider)
    assert client.get(convert_url(form, submission.pk)).status_code == 404
    assert post_convert(client, form, [submission.pk],
                        category=str(library.pk)).status_code == 404
    assert not Feedback.objects.exists()
    listing = client.get(reverse("wagtailforms:list_submissions", args=[form.pk]))
    assert listing.status_code == 302  # Wagtail's own rule: back to the dashboard


def test_submission_of_another_form_is_404(client, form, library, librarian):
    other = legacy_form(slug="toinen", title="Toinen lomake")
    foreign = submission_of(other)
    client.force_login(librarian)
    assert client.get(convert_url(form, foreign.pk)).status_code == 404
    assert not Feedback.objects.exists()


def test_anonymous_is_sent_to_login(client, form):
    submission = submission_of(form)
    response = client.get(convert_url(form, submission.pk))
    assert response.status_code == 302
    assert FormSubmission.objects.count() == 1


def test_case_screen_links_the_submission_and_the_listing_query_count_stays_flat(
        client, form, library, librarian):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(librarian)
    url = reverse("wagtailforms:list_submissions", args=[form.pk])
    convert(form, [submission_of(form)], form.feedback_mapping())
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    convert(form, [submission_of(form) for _ in range(5)], form.feedback_mapping())
    with CaptureQueriesContext(connection) as six:
        response = client.get(url)
    assert response.content.decode().count("converted →") == 6
    assert len(six) == len(one)
    case = Feedback.objects.first()
    html = client.get(detail_url(case)).content.decode()
    assert f'href="{url}">Kirjaston palaute</a>' in html


def test_convert_refuses_a_submission_of_another_form_and_keeps_bad_emails_out(form, library):
    other = legacy_form(slug="toinen", title="Toinen lomake")
    with pytest.raises(ConversionError):
        convert(form, [submission_of(form), submission_of(other)], form.feedback_mapping())
    assert not Feedback.objects.exists()
    case = run_commits(convert, form, [submission_of(form, sahkoposti="ei osoite")],
                       form.feedback_mapping())[0]
    assert case.contact_email == ""
    assert mail.outbox and all(m.to != ["ei osoite"] for m in mail.outbox)
