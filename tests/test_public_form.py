"""The resident's form at /palaute/: Django test-client tests, bad input included."""

import io
import re
import time
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import Client, TestCase
from django.utils.html import escape
from PIL import Image
from wagtail.models import Locale

from palaute_plugin.models import Feedback, FeedbackPhoto
from palaute_plugin.public import antispam
from tests.admin_fixtures import detail_url, in_english
from tests.antispam_helpers import token_shown_a_minute_ago, token_shown_again
from tests.factories import (
    CategoryFactory,
    OtherAuthorityFactory,
    UserFactory,
    feedback_page,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def page():
    return feedback_page()


@pytest.fixture
def category(responsible):
    return CategoryFactory(name_fi="Katuvalaistus", name_sv="Gatubelysning",
                           name_en="Street lighting", responsible_person=responsible,
                           notification_emails="valaistus@tornio.example")


def form_data(category, **overrides):
    data = {
        "kind": "feedback",
        "category": str(category.pk),
        "message": "Katuvalo ei pala Hallituskadulla.",
        "location": "SRID=4326;POINT(24.1466 65.8481)",
        "address": "Hallituskatu 12",
        "contact_name": "Maija Meikäläinen",
        "contact_email": "maija@example.com",
        "contact_phone": "040 123 4567",
        "website": "",
        "form_token": antispam.issue_form_token(),
    }
    data.update(overrides)
    return data


def jpeg_file(name="kuva.jpg", size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def post(client, page, data, **kwargs):
    """Post the form and run what it queued after commit (emails), as in production."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(page.url, data, **kwargs)


def test_form_page_styles_and_scripts_are_rendered_once_per_process(client, page):
    from palaute_plugin.public.forms import FeedbackForm

    html = client.get("/palaute/").content.decode()
    head = html[:html.index("</head>")]
    assert head.index('href="/static/palaute_plugin/css/palaute.css"') < head.index(
        'href="/static/leaflet/leaflet.css"')
    scripts = re.findall(r'<script src="([^"]+)"( defer)?></script>', html)
    assert [src for src, _defer in scripts][-4:] == [
        "/static/palaute_plugin/js/map.js", "/static/palaute_plugin/js/palaute-form.js",
        "/static/palaute_plugin/js/nearby-hint.js", "/static/palaute_plugin/js/character-count.js"]
    assert [defer for _src, defer in scripts[-3:]] == [" defer", " defer", " defer"]
    with mock.patch.object(FeedbackForm, "media_for_page", side_effect=AssertionError):
        again = client.get("/palaute/").content.decode()
    assert without_tokens(again) == without_tokens(html)


def without_tokens(html):
    """The page without its CSRF and form tokens (new on every request)."""
    return re.sub(r'(name="(csrfmiddlewaretoken|form_token)" value=)"[^"]+"', r"\1", html)


def test_form_page_renders_in_finnish_with_grouped_categories(client, page, category):
    child = CategoryFactory(name_fi="Katujen kunto", parent=category)
    response = client.get("/palaute/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fi">' in html
    assert f'<optgroup label="{category.name_fi}">' in html
    assert child.name_fi in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "unpkg" not in html and "cdn" not in html.lower()
    assert "/static/leaflet/leaflet.js" in html


def translated_page(page, code, title):
    """The feedback page (and the home page above it) published in language ``code``."""
    locale = Locale.objects.get_or_create(language_code=code)[0]
    page.get_parent().specific.copy_for_translation(locale).save_revision().publish()
    copy = page.copy_for_translation(locale)
    copy.title = title
    copy.save_revision().publish()
    return copy


def test_form_page_in_swedish_and_english(client, page, category):
    for code, heading, name in (("sv", "Respons", category.name_sv),
                                ("en", "Feedback", category.name_en)):
        translated_page(page, code, heading)
        response = client.get(f"/{code}/palaute/")
        html = response.content.decode()
        assert response.status_code == 200, code
        assert f'<html lang="{code}">' in html
        assert f">{name}</option>" in html, code
        assert category.name_fi not in html, code


def test_valid_post_creates_routed_case_and_redirects_to_receipt(client, page, category,
                                                                 responsible):
    response = post(client, page, form_data(category))
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert response["Location"] == f"/palaute/receipt/{feedback.tracking_token}/"
    assert feedback.assignee == responsible
    assert feedback.status == "new" and feedback.channel == "web" and feedback.language == "fi"
    assert (feedback.latitude, feedback.longitude) == (65.8481, 24.1466)
    assert feedback.due_at is not None
    receipt = client.get(response["Location"])
    assert feedback.reference in receipt.content.decode()
    assert f"/palaute/status/{feedback.tracking_token}/" in receipt.content.decode()
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["maija@example.com", "valaistus@tornio.example",
                          "vastaava@tornio.example"]


def test_a_name_and_an_address_are_one_line_each(client, page, category, responsible):
    """Security review 2026-12-03: a name with line breaks wrote forged lines ("Bcc: …",
    "Sähköposti: …") into the staff's email."""
    response = post(client, page, form_data(
        category, contact_name="Evil\r\nBcc: victim@evil.example\r\n\tSähköposti: x@y.fi",
        address="Hallituskatu\n12\x0b B"))
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.contact_name == "Evil Bcc: victim@evil.example Sähköposti: x@y.fi"
    assert feedback.address == "Hallituskatu 12 B"
    (staff_email,) = [m for m in mail.outbox if "vastaava@tornio.example" in m.to]
    assert not [line for line in staff_email.body.splitlines() if line.startswith("Bcc:")]


@pytest.mark.parametrize(("code", "subject"), [
    ("fi", "Palautteesi on vastaanotettu"),
    ("sv", "Din respons har tagits emot"),
    ("en", "Your feedback was received"),
])
def test_receipt_email_in_the_language_of_the_page_used(client, page, category, code, subject):
    used = page if code == "fi" else translated_page(page, code, "Palaute")
    # The browser's preference does not decide: the page the resident used does.
    post(client, used, form_data(category), HTTP_ACCEPT_LANGUAGE="fi" if code != "fi" else "sv")
    feedback = Feedback.objects.get()
    assert feedback.language == code
    resident = [m for m in mail.outbox if m.to == ["maija@example.com"]]
    assert len(resident) == 1
    assert resident[0].subject == f"{subject} ({feedback.reference})"
    assert feedback.tracking_token in resident[0].body


@pytest.mark.parametrize(("kind", "subject", "thanks"), [
    ("question", "Kysymyksesi on vastaanotettu", "Kiitos kysymyksestäsi."),
    ("proposal", "Ehdotuksesi on vastaanotettu", "Kiitos ehdotuksestasi."),
    ("feedback", "Palautteesi on vastaanotettu", "Kiitos palautteestasi."),
])
def test_the_receipt_email_thanks_for_what_was_sent(client, page, category, kind, subject,
                                                    thanks):
    """As the receipt page does: a proposal is thanked for as a proposal."""
    post(client, page, form_data(category, kind=kind))
    receipt = [m for m in mail.outbox if m.to == ["maija@example.com"]][0]
    assert receipt.subject.startswith(subject)
    assert receipt.body.startswith(thanks)
    html = receipt.alternatives[0][0]
    assert f">{thanks[:-1]}</h1>" in html


@pytest.mark.parametrize(("code", "heading", "passed_on"), [
    ("fi", "Kiitos kysymyksestäsi", "Viestisi on välitetty aiheesta vastaavalle henkilölle."),
    ("sv", "Tack för din fråga",
     "Ditt meddelande har skickats till den som ansvarar för ämnet."),
])
def test_the_receipt_page_of_a_question_does_not_call_it_feedback(
        client, page, category, code, heading, passed_on):
    """Its heading thanked for the question while its text said "Din respons har skickats"."""
    used = page if code == "fi" else translated_page(page, code, "Palaute")
    response = post(client, used, form_data(category, kind="question"))
    html = client.get(response["Location"]).content.decode()
    assert heading in html
    assert passed_on in html
    assert "respons har" not in html
    assert "Palautteesi on" not in html


def test_the_receipt_and_its_email_promise_working_days_and_name_the_target_date(
        client, page, category):
    """The due time counts working days (Finnish holidays skipped): so do the words, and
    the date itself is given."""
    from django.utils import timezone

    response = post(client, page, form_data(category))
    feedback = Feedback.objects.get()
    due = timezone.localtime(feedback.due_at)
    target = f"Tavoitepäivä: {due.day}.{due.month}.{due.year}."
    days = category.expected_response_days
    html = client.get(response["Location"]).content.decode()
    assert f"Pyrimme vastaamaan {days} työpäivän kuluessa. {target}" in html
    receipt = [m for m in mail.outbox if m.to == ["maija@example.com"]][0]
    assert f"Pyrimme vastaamaan {days} työpäivän kuluessa. {target}" in receipt.body
    assert target in receipt.alternatives[0][0]


def test_replayed_post_creates_one_case(client, page, category):
    data = form_data(category)
    first = post(client, page, data)
    second = post(client, page, data)
    assert Feedback.objects.count() == 1
    assert first["Location"] == second["Location"]
    resident_mails = [m for m in mail.outbox if m.to == ["maija@example.com"]]
    assert len(resident_mails) == 1


def test_sending_the_same_feedback_again_after_going_back_makes_no_second_case(
        client, page, category):
    """Back after sending reloads the form with a new token: the same browser sending the
    same text to the same topic gets the first case's receipt again, and one email."""
    first = post(client, page, form_data(category))
    again = post(client, page, form_data(
        category, message="  Katuvalo ei pala\r\nHallituskadulla. "))
    feedback = Feedback.objects.get()
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"] + "?again=1"
    assert [m.to for m in mail.outbox if "maija@example.com" in m.to] == [["maija@example.com"]]
    receipt = client.get(again["Location"]).content.decode()
    assert "joten sitä ei lähetetty kahteen kertaan" in receipt
    assert feedback.reference in receipt
    assert "kahteen kertaan" not in client.get(first["Location"]).content.decode()


def test_back_and_send_again_with_the_photos_still_chosen_makes_no_second_case(
        client, page, category):
    """Chromium keeps the chosen files over Back: the same post with its photo again."""
    first = post(client, page, form_data(category, photos=[jpeg_file()]))
    again = post(client, page, form_data(category, photos=[jpeg_file()]))
    assert again["Location"] == first["Location"] + "?again=1"
    assert Feedback.objects.count() == 1 and FeedbackPhoto.objects.count() == 1
    two = post(client, page, form_data(category, photos=[jpeg_file(), jpeg_file()]))
    assert "again" not in two["Location"]
    assert Feedback.objects.count() == 2


def test_back_with_another_photo_or_without_consent_to_publish_is_new_feedback(
        client, page, category):
    """The wrong photo went: Back, another photo of the same count, Send. Or Back, tick
    "do not publish", Send. Neither is the first post again."""
    post(client, page, form_data(category, photos=[jpeg_file(size=(64, 48))]))
    other_photo = post(client, page, form_data(category, photos=[jpeg_file(size=(48, 64))]))
    assert "again" not in other_photo["Location"]
    no_consent = post(client, page, form_data(category, photos=[jpeg_file(size=(64, 48))],
                                              do_not_publish="on"))
    assert "again" not in no_consent["Location"]
    assert list(Feedback.objects.order_by("pk").values_list("publish_consent", flat=True)) == [
        True, True, False]


@pytest.mark.parametrize("change", [
    {"message": "Katuvalo ei pala Hallituskadulla eikä Torikadulla."},
    {"kind": "question"},
    {"contact_email": "matti@example.com"},
    {"photos": "photo"},
    # The same short text at another place is a second broken lamp.
    {"address": "Länsiranta 4"},
    {"location": "SRID=4326;POINT(24.1390 65.8460)"},
])
def test_a_second_post_that_differs_is_new_feedback(client, page, category, change):
    post(client, page, form_data(category))
    if change.get("photos"):
        change = {"photos": jpeg_file()}
    response = post(client, page, form_data(category, **change))
    assert response.status_code == 302
    assert "again" not in response["Location"]
    assert Feedback.objects.count() == 2


def test_the_same_text_from_another_browser_is_new_feedback(client, page, category):
    post(client, page, form_data(category))
    response = post(Client(), page, form_data(category))
    assert response.status_code == 302
    assert "again" not in response["Location"]
    assert Feedback.objects.count() == 2


@pytest.mark.parametrize("message", ["liian", "x" * 5001])
def test_message_length_is_checked_and_nothing_saved(client, page, category, message):
    response = post(client, page, form_data(category, message=message))
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert 'href="#id_message"' in response.content.decode()
    assert Feedback.objects.count() == 0 and mail.outbox == []


def test_a_line_break_counts_as_one_character_as_the_browser_counts_it(client, page,
                                                                       category):
    """A browser sends each line break as CR LF but counts it, and shows it, as one: 499
    lines of 9 characters and 498 breaks are 4,989 characters, within the limit."""
    message = "\r\n".join(["Rivi 1234"] * 499)
    assert len(message) > 5000
    response = post(client, page, form_data(category, message=message))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Feedback.objects.get().message == "\n".join(["Rivi 1234"] * 499)
    # One character more with its line breaks counted once is too long, and said so.
    response = post(client, page, form_data(category, message="\r\n".join(["x" * 9] * 500)
                                            + "\r\nx" * 2))
    assert "Viestisi voi olla enintään 5000 merkin pituinen (nyt 5003)" in (
        response.content.decode())


def test_the_message_box_counts_characters_instead_of_cutting_a_pasted_text(client, page):
    """No ``maxlength``: it cuts a pasted text short without a word (the counter, the
    browser test, says how much too long instead)."""
    html = client.get(page.url).content.decode()
    textarea = re.search(r"<textarea[^>]*id=\"id_message\"[^>]*>", html).group(0)
    assert " maxlength=" not in textarea
    assert 'data-maxlength="5000"' in textarea
    assert 'data-count-over-many="Teksti on %(n)s merkkiä liian pitkä."' in textarea
    assert "character-count.js" in html


@pytest.mark.parametrize("field", ["message", "address", "contact_name", "contact_phone"])
def test_a_nul_byte_in_a_text_field_is_refused_and_nothing_saved(client, page, category, field):
    """Not stored (PostgreSQL refuses it) nor mailed: the field's error, the text kept."""
    typed = "Katuvalo ei pala\x00 kulmassa" if field == "message" else "Tie\x00 1"
    response = post(client, page, form_data(category, **{field: typed}))
    html = response.content.decode()
    assert response.status_code == 400
    assert f'href="#id_{field}"' in html
    assert "Tyhjiä merkkejä (null) ei sallita." in html
    assert Feedback.objects.count() == 0 and mail.outbox == []


def test_missing_fields_are_listed_in_the_error_summary(client, page, category):
    response = post(client, page, {"form_token": antispam.issue_form_token()})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_category"' in html and 'href="#id_message"' in html
    assert 'aria-invalid="true"' in html


def test_html_in_text_is_stored_as_text_and_escaped(client, page, category):
    evil = "<script>alert('x')</script> rikki valo"
    post(client, page, form_data(category, message=evil, address=evil, contact_name=evil))
    feedback = Feedback.objects.get()
    assert feedback.message == evil
    for url in (f"/palaute/receipt/{feedback.tracking_token}/",
                f"/palaute/status/{feedback.tracking_token}/"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
    status_html = client.get(f"/palaute/status/{feedback.tracking_token}/").content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in status_html
    for message in mail.outbox:
        html_body = message.alternatives[0][0] if message.alternatives else ""
        assert "<script>alert" not in html_body


def test_invalid_email_is_an_error(client, page, category):
    response = post(client, page, form_data(category, contact_email="not-an-email"))
    assert response.status_code == 400
    assert 'href="#id_contact_email"' in response.content.decode()
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize("point", ["SRID=4326;POINT(200 95)", "SRID=4326;POINT(24.9 60.2)",
                                   "POINT(abc def)"])
def test_bad_or_far_away_coordinates_are_rejected(client, page, category, point):
    response = post(client, page, form_data(category, location=point))
    assert response.status_code == 400
    assert "id_location_error" in response.content.decode()
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize("typed", ["65.84", "65.84,", "<b>65</b>", "pohjoinen"])
def test_coordinates_typed_but_not_a_place_are_refused_and_kept(client, page, category,
                                                                typed):
    """The coordinate box's text with no place written (half-typed, or the script did not
    run): refused with the box's own hint, and the text comes back (escaped) to correct."""
    response = post(client, page, form_data(category, location="", location_latlng=typed))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Kirjoita koordinaatit muodossa leveysaste, pituusaste" in html
    assert f'name="location_latlng" value="{escape(typed)}"' in html
    assert Feedback.objects.count() == 0


def test_a_topic_that_asks_no_place_does_not_read_its_hidden_coordinate_box(client, page,
                                                                           category):
    """The place section is hidden for such a topic, the box still sent: its half-typed text
    stopped the form with an error the resident could not see."""
    category.location_mode = "hidden"
    category.save()
    response = post(client, page, form_data(category, location="", location_latlng="65.8"))
    assert response.status_code == 302
    assert Feedback.objects.get().latitude is None


@pytest.mark.parametrize("typed, error", [
    (" 65.848 , 24.147 ", None), ("60.1699, 24.9384", "palvelun alueen ulkopuolella")])
def test_typed_coordinates_alone_are_the_place_when_they_read_as_one(client, page, category,
                                                                     typed, error):
    response = post(client, page, form_data(category, location="", location_latlng=typed))
    if error is None:
        assert response.status_code == 302
        feedback = Feedback.objects.get()
        assert (feedback.latitude, feedback.longitude) == (65.848, 24.147)
    else:
        assert response.status_code == 400
        assert error in response.content.decode()
        assert not Feedback.objects.exists()


def test_a_written_place_wins_over_the_box_and_an_empty_box_is_no_place(client, page,
                                                                        category):
    assert post(client, page, form_data(category, location="", location_latlng="  ")
                ).status_code == 302
    assert post(client, page, form_data(category, message="Toinen viesti kadulla tässä.",
                                        location_latlng="65.84")).status_code == 302
    assert [(f.latitude, f.longitude) for f in Feedback.objects.order_by("pk")] == [
        (None, None), (65.8481, 24.1466)]


def test_forged_token_is_rejected_with_input_kept(client, page, category):
    response = post(client, page, form_data(category, form_token="forged"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Katuvalo ei pala Hallituskadulla." in html
    assert Feedback.objects.count() == 0


def test_expired_token_reshows_form_with_input_and_fresh_token(client, page, category):
    old = signing.dumps({"n": "abc", "t": int(time.time()) - 3 * 60 * 60},
                        salt=antispam.TOKEN_SALT)
    response = post(client, page, form_data(category, form_token=old))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Katuvalo ei pala Hallituskadulla." in html
    assert old not in html
    assert Feedback.objects.count() == 0


def test_back_and_send_again_at_once_is_the_same_feedback_not_too_fast(client, page,
                                                                       category, settings):
    """Back reloads the form (a new token, shown a moment ago): sending it again at once
    is the same feedback, its receipt again, not "sent too quickly". Another text at once
    is too fast."""
    first = post(client, page, form_data(category))
    settings.PALAUTE_MIN_SUBMIT_SECONDS = 3
    again = post(client, page, form_data(category))
    assert again["Location"] == first["Location"] + "?again=1"
    other = post(client, page, form_data(category, message="Toinen lamppu on myös rikki."))
    assert other.status_code == 400
    assert "liian nopeasti" in other.content.decode()
    assert Feedback.objects.count() == 1


def test_too_fast_submission_is_rejected(client, page, category, settings):
    settings.PALAUTE_MIN_SUBMIT_SECONDS = 3
    response = post(client, page, form_data(category))
    assert response.status_code == 400
    assert Feedback.objects.count() == 0


def test_sending_again_right_after_an_error_page_is_not_too_fast(client, page, category,
                                                                 settings):
    """The form shown again after an error keeps the time it was first shown (with a new
    nonce): Send tapped at once on the error page was "sent too fast"."""
    settings.PALAUTE_MIN_SUBMIT_SECONDS = 3
    shown = token_shown_a_minute_ago()
    response = post(client, page, form_data(category, message="lyhyt", form_token=shown))
    assert response.status_code == 400
    again = token_shown_again(response, shown)
    assert post(client, page, form_data(category, form_token=again)).status_code == 302
    assert Feedback.objects.count() == 1


def test_a_form_shown_again_after_too_fast_still_waits_from_its_first_showing(
        client, page, category, settings):
    settings.PALAUTE_MIN_SUBMIT_SECONDS = 3
    response = post(client, page, form_data(category))
    assert "liian nopeasti" in response.content.decode()
    again = re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)
    assert post(client, page, form_data(category, form_token=again)).status_code == 400
    assert Feedback.objects.count() == 0


def test_filled_honeypot_looks_like_success_but_saves_and_sends_nothing(client, page,
                                                                        category):
    response = post(client, page, form_data(category, website="http://spam.example"))
    assert response.status_code == 302  # the same shape as a real submission
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert "Kiitos" in receipt.content.decode()
    assert Feedback.objects.count() == 0 and mail.outbox == []


def test_inactive_category_is_refused(client, page, category):
    category.active = False
    category.save()
    response = post(client, page, form_data(category))
    assert response.status_code == 400
    assert Feedback.objects.count() == 0


def test_other_authority_category_shows_its_contacts_and_saves_nothing(client, page):
    authority = OtherAuthorityFactory()
    roads = CategoryFactory(name_fi="Valtatiet E4 ja E8", other_authority=authority)
    form_page = client.get("/palaute/").content.decode()
    assert authority.email in form_page  # shown before submitting
    response = post(client, page, form_data(roads))
    html = response.content.decode()
    assert response.status_code == 400
    assert authority.name_fi in html and authority.phone in html
    assert Feedback.objects.count() == 0


def test_post_without_csrf_token_is_forbidden(page, category):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/palaute/", form_data(category))
    assert response.status_code == 403
    assert Feedback.objects.count() == 0




def test_location_required_by_category(client, page, category):
    category.location_mode = "required"
    category.save()
    response = post(client, page, form_data(category, location="", address=""))
    assert response.status_code == 400
    assert 'href="#id_address"' in response.content.decode()
    assert post(client, page, form_data(category, location="")).status_code == 302


def test_photo_is_cleaned_by_the_task_and_the_upload_removed(client, page, category):
    response = post(client, page, form_data(category, photos=[jpeg_file()]))
    assert response.status_code == 302
    photo = FeedbackPhoto.objects.get()
    assert photo.feedback == Feedback.objects.get()
    assert photo.state == "ready" and not photo.upload
    assert "kuva" not in photo.image.name
    with photo.image.open("rb") as stored:
        assert b"Exif" not in stored.read()
    assert not any(p.suffix == ".upload" for p in Path(photo.image.storage.location).rglob("*"))


def truncated_jpeg(name="rikki.jpg"):
    whole = jpeg_file(size=(640, 480)).getvalue()
    damaged = io.BytesIO(whole[: len(whole) // 3])
    damaged.name = name
    return damaged


def test_truncated_photo_is_refused_while_the_resident_waits(client, page, category, settings):
    response = post(client, page, form_data(category, photos=[jpeg_file(), truncated_jpeg()]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "rikki.jpg" in html and "vioittunut" in html  # the Finnish "damaged" message
    assert Feedback.objects.count() == 0 and FeedbackPhoto.objects.count() == 0
    assert_only_the_good_photo_is_kept_cleaned(settings)


def test_an_empty_photo_is_named_among_the_others_and_the_good_one_kept(
        client, page, category, settings):
    """An empty file was refused by Django's field with one nameless "The submitted file
    is empty.", hiding the other photos' errors and dropping the good photo."""
    empty = io.BytesIO(b"")
    empty.name = "tyhja.jpg"
    response = post(client, page, form_data(
        category, photos=[jpeg_file(), empty, truncated_jpeg()]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tiedosto ”tyhja.jpg” on tyhjä" in html
    assert "rikki.jpg" in html
    assert Feedback.objects.count() == 0 and FeedbackPhoto.objects.count() == 0
    assert_only_the_good_photo_is_kept_cleaned(settings)


def assert_only_the_good_photo_is_kept_cleaned(settings):
    """The accepted photo waits for the next try (photos.pending), cleaned; no raw upload."""
    from palaute_plugin.photos.pending import PendingPhoto

    assert list(PendingPhoto.objects.values_list("name", "state")) == [("kuva.jpg", "ready")]
    root = Path(settings.PALAUTE_PHOTO_ROOT)
    assert sorted(p.parent.name + p.suffix for p in root.rglob("*") if p.is_file()) == [
        "pending.jpg", "pending.jpg"]


def test_damaged_photo_past_the_quick_checks_fails_alone(client, page, category):
    with mock.patch("palaute_plugin.photos.images._check_decodable"):
        response = post(client, page, form_data(category, photos=[truncated_jpeg()]))
    assert response.status_code == 302  # the case is not lost over a broken photo
    photo = FeedbackPhoto.objects.get()
    assert photo.state == "failed" and not photo.upload and not photo.image


def whole_but_undecodable_jpeg(name="outo.jpg"):
    """Every marker and length in place (the quick check passes), but a Huffman table
    whose code counts add up to more than it holds: libjpeg refuses it when the worker
    decodes it."""
    source = bytearray(jpeg_file().getvalue())
    table = source.index(b"\xff\xc4")
    source[table + 5] = 0xFF  # the count of 1-bit codes (after the length and class)
    damaged = io.BytesIO(bytes(source))
    damaged.name = name
    return damaged


def test_photo_whole_but_undecodable_fails_in_the_worker_and_the_resident_is_told(
        client, page, category):
    response = post(client, page, form_data(category, photos=[whole_but_undecodable_jpeg(),
                                                             jpeg_file()]))
    assert response.status_code == 302  # no pixels are decoded while the resident waits
    feedback = Feedback.objects.get()
    assert sorted(feedback.photos.values_list("state", flat=True)) == ["failed", "ready"]
    assert not feedback.photos.filter(state="failed").exclude(upload="").exists()
    html = client.get(f"/palaute/status/{feedback.tracking_token}/").content.decode()
    assert "Yhtä lähettämääsi kuvaa ei voitu käyttää." in html
    staff = Client()
    staff.force_login(in_english(UserFactory(username="paakayttaja", is_superuser=True)))
    html = staff.get(detail_url(feedback)).content.decode()
    first = feedback.photos.order_by("sort_order").first()
    assert first.state == "failed" and "Photo 1: could not be processed" in html


def test_unexpected_error_while_cleaning_fails_the_photo_not_forever(client, page, category):
    with mock.patch("palaute_plugin.photos.images.clean_photo", side_effect=RuntimeError("bug")):
        post(client, page, form_data(category, photos=[jpeg_file()]))
    photo = FeedbackPhoto.objects.get()
    assert photo.state == "failed" and not photo.upload


def test_more_than_five_photos_is_an_error(client, page, category):
    files = [jpeg_file(f"kuva{i}.jpg") for i in range(6)]
    response = post(client, page, form_data(category, photos=files))
    assert response.status_code == 400
    assert 'href="#id_photos"' in response.content.decode()
    assert Feedback.objects.count() == 0 and FeedbackPhoto.objects.count() == 0


def test_fake_image_is_an_error(client, page, category):
    fake = io.BytesIO(b"<html><body><?php system($_GET['c']); ?></body></html>")
    fake.name = "kuva.jpg"
    response = post(client, page, form_data(category, photos=[fake]))
    assert response.status_code == 400
    assert Feedback.objects.count() == 0


def test_failure_while_saving_leaves_nothing(client, page, category, settings):
    with mock.patch("palaute_plugin.notifications.notify_feedback_received",
                    side_effect=RuntimeError("boom")), pytest.raises(RuntimeError):
        post(client, page, form_data(category, photos=[jpeg_file()]))
    assert Feedback.objects.count() == 0 and FeedbackPhoto.objects.count() == 0
    root = Path(settings.PALAUTE_PHOTO_ROOT)
    assert not [p for p in root.rglob("*") if p.is_file()]  # the upload is gone too




def test_status_page_shows_public_history_only(client, page, category):
    post(client, page, form_data(category))
    feedback = Feedback.objects.get()
    response = client.get(f"/palaute/status/{feedback.tracking_token}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert feedback.reference in html
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert "vastaava" not in html  # no staff names


def test_status_page_unknown_or_rejected_is_404(client, page, category):
    assert client.get("/palaute/status/not-a-token/").status_code == 404
    post(client, page, form_data(category))
    feedback = Feedback.objects.get()
    Feedback.objects.filter(pk=feedback.pk).update(status="rejected")
    assert client.get(f"/palaute/status/{feedback.tracking_token}/").status_code == 404


def test_cached_form_shows_category_changes_at_once(client, page, category):
    assert "Uusi aihe" not in client.get("/palaute/").content.decode()
    new = CategoryFactory(name_fi="Uusi aihe")
    assert "Uusi aihe" in client.get("/palaute/").content.decode()
    new.active = False
    new.save()
    assert "Uusi aihe" not in client.get("/palaute/").content.decode()


def test_cached_categories_follow_every_change(client, page, category):
    from palaute_plugin.public.caching import active_categories

    assert [c.name_fi for c in active_categories()] == [category.name_fi]
    category.name_fi = "Katuvalot"
    category.save()
    assert [c.name_fi for c in active_categories()] == ["Katuvalot"]
    authority = OtherAuthorityFactory(name_fi="Väylävirasto")
    category.other_authority = authority
    category.save()
    authority.name_fi = "Väylä"
    authority.save()
    assert active_categories()[0].other_authority.name_fi == "Väylä"
    category.delete()
    assert active_categories() == []


def test_a_category_deactivated_after_the_form_was_shown_is_refused(client, page, category):
    client.get("/palaute/")  # the categories are cached
    category.active = False
    category.save()
    response = post(client, page, form_data(category))
    assert response.status_code == 400
    assert Feedback.objects.count() == 0


def test_form_fields_rendered_once_per_process_follow_the_settings(client, page, category,
                                                                    settings):
    assert 'data-max-photos="5"' in client.get("/palaute/").content.decode()
    settings.PALAUTE_MAX_PHOTOS = 2
    CategoryFactory(name_fi="Uusi aihe")  # and the cached page is rendered again
    html = client.get("/palaute/").content.decode()
    assert 'data-max-photos="2"' in html and 'data-max-photos="5"' not in html


def test_form_fields_are_the_same_whether_rendered_once_or_afresh(page, category):
    from django.template.loader import render_to_string

    from palaute_plugin.public.forms import FeedbackForm
    from palaute_plugin.public.views import render_form_fields

    first, second = (render_form_fields(page, FeedbackForm()) for _ in range(2))
    assert first == second
    form = FeedbackForm()
    for name in FeedbackForm.same_for_everyone - {"location", "pending_photos", "website"}:
        fresh = render_to_string("palaute_plugin/includes/field.html", {"field": form[name]})
        assert fresh in first


def test_each_visitor_gets_a_fresh_form_token(client, page, category):
    first = client.get("/palaute/").content.decode()
    second = client.get("/palaute/").content.decode()
    token = first.split('name="form_token" value="')[1].split('"')[0]
    assert token and token not in second


def test_huge_png_is_refused_at_the_form_and_nothing_is_saved(client, page, category, settings):
    from tests.test_photos import png_header_only

    huge = io.BytesIO(png_header_only(7000, 7000, colour_type=6))
    huge.name = "iso.png"
    response = post(client, page, form_data(category, photos=[jpeg_file(), huge]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "iso.png" in html and "PNG-, WebP- tai HEIC-kuvaksi" in html
    assert Feedback.objects.count() == 0 and FeedbackPhoto.objects.count() == 0
    assert_only_the_good_photo_is_kept_cleaned(settings)


def test_status_page_tells_the_resident_how_many_photos_could_not_be_used(
        client, page, category):
    with mock.patch("palaute_plugin.photos.images._check_decodable"):
        post(client, page, form_data(category, photos=[truncated_jpeg(), jpeg_file()]))
    feedback = Feedback.objects.get()
    assert sorted(feedback.photos.values_list("state", flat=True)) == ["failed", "ready"]
    url = f"/palaute/status/{feedback.tracking_token}/"
    html = client.get(url).content.decode()
    assert "Yhtä lähettämääsi kuvaa ei voitu käyttää." in html
    # How many were sent at all (the page said nothing of the photos that worked).
    assert "<dt>Lähetetyt kuvat</dt><dd>2</dd>" in html
    feedback.photos.update(state="failed")
    assert "2 lähettämääsi kuvaa ei voitu käyttää." in client.get(url).content.decode()
    feedback.photos.update(state="ready")
    assert "failed-photos" not in client.get(url).content.decode()


def test_status_page_shows_the_residents_cleaned_photos_to_the_link_holder(
        client, page, category):
    post(client, page, form_data(category, photos=[jpeg_file("a.jpg"), jpeg_file("b.jpg")]))
    feedback = Feedback.objects.get()
    first, second = feedback.photos.order_by("sort_order")
    url = f"/palaute/status/{feedback.tracking_token}/"
    html = client.get(url).content.decode()
    assert "<h2>Lähettämäsi kuvat</h2>" in html
    for number, photo in enumerate([first, second], start=1):
        assert (f'<a href="{url}kuvat/{photo.pk}/full/"><img src="{url}kuvat/{photo.pk}/thumb/" '
                f'alt="Kuva {number}"') in html
    for size in ("thumb", "full"):
        response = client.get(f"{url}kuvat/{first.pk}/{size}/")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, no-store"
        # Its own policy: the image viewer's inline styles only, nothing to run.
        assert response["Content-Security-Policy"].startswith("default-src 'none'; img-src")
        assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


def test_a_status_page_photo_is_only_the_cases_own_and_only_cleaned(client, page, category):
    post(client, page, form_data(category, photos=[jpeg_file()]))
    post(Client(), page, form_data(category, message="Toinen asia, toinen paikka."))
    mine, other = Feedback.objects.order_by("pk")
    photo = mine.photos.get()
    own = f"/palaute/status/{mine.tracking_token}/kuvat/{photo.pk}/"
    assert client.get(own + "thumb/").status_code == 200
    assert client.get(own + "original/").status_code == 404
    assert client.get(own.replace(mine.tracking_token, other.tracking_token)
                      + "thumb/").status_code == 404
    assert client.get(own.replace(mine.tracking_token, "arvattu") + "thumb/").status_code == 404
    mine.photos.update(state="failed")
    assert client.get(own + "thumb/").status_code == 404
    assert "kuvat/" not in client.get(f"/palaute/status/{mine.tracking_token}/").content.decode()
    mine.photos.update(state="ready")
    Feedback.objects.filter(pk=mine.pk).update(status="rejected")
    assert client.get(own + "thumb/").status_code == 404


def test_a_photo_whose_files_retention_removed_is_not_shown(client, page, category):
    post(client, page, form_data(category, photos=[jpeg_file()]))
    feedback = Feedback.objects.get()
    photo = feedback.photos.get()
    photo.thumbnail.storage.delete(photo.thumbnail.name)
    photo.image.storage.delete(photo.image.name)
    url = f"/palaute/status/{feedback.tracking_token}/"
    assert client.get(f"{url}kuvat/{photo.pk}/full/").status_code == 404
    feedback.photos.update(image="", thumbnail="")
    html = client.get(url).content.decode()
    assert "Lähettämäsi kuvat" not in html
    assert "<dt>Lähetetyt kuvat</dt><dd>1</dd>" in html


def test_the_status_page_asks_as_many_queries_with_photos_as_without(client, page, category):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    post(client, page, form_data(category))
    post(client, page, form_data(category, message="Toinen asia kolmen kuvan kanssa.",
                                 photos=[jpeg_file(), jpeg_file(), jpeg_file()]))
    counts = []
    for feedback in Feedback.objects.order_by("pk"):
        url = f"/palaute/status/{feedback.tracking_token}/"
        client.get(url)  # the page's own lookups cached, as for every later reader
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_follow_up_with_one_bad_photo_says_to_choose_the_good_ones_again(
        client, page, category):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from wagtail.models import ModelLogEntry

    post(client, page, form_data(category))
    feedback = Feedback.objects.get()
    url = f"/palaute/status/{feedback.tracking_token}/"
    fake = SimpleUploadedFile("vale.jpg", b"ei ole kuva", content_type="image/jpeg")
    response = client.post(url, {"message": "Lisää kuvia paikasta.",
                                 "photos": [fake, jpeg_file("hyva.jpg")]})
    html = response.content.decode()
    assert response.status_code == 400
    assert "vale.jpg" in html
    assert "Mitään ei vielä lisätty. Valitse uudelleen kuvat, joita voitiin käyttää (hyva.jpg)" \
        in html
    assert "Lisää kuvia paikasta." in html  # the text kept
    # Another field's error: the good photo has to be chosen again too.
    response = client.post(url, {"message": "x" * 5001, "photos": [jpeg_file("hyva.jpg")]})
    assert "Valitse kuvat uudelleen" in response.content.decode()
    assert not ModelLogEntry.objects.filter(action="palaute_plugin.follow_up").exists()
    assert feedback.photos.count() == 0
    # The good photo alone is information: added.
    assert client.post(url, {"message": "", "photos": [jpeg_file("hyva.jpg")]}
                       ).status_code == 302
    assert feedback.photos.count() == 1


def test_a_case_takes_only_so_many_photos_from_its_follow_ups(client, page, category, settings):
    """A link holder added 20 photos to one case in four posts, and could go on for ever
    (acceptance test, 2026-12-03)."""
    from wagtail.models import ModelLogEntry

    settings.PALAUTE_MAX_PHOTOS_PER_CASE = 3
    post(client, page, form_data(category))
    feedback = Feedback.objects.get()
    url = f"/palaute/status/{feedback.tracking_token}/"

    def add(*names, message=""):
        return client.post(url, {"message": message, "photos": [jpeg_file(n) for n in names]})

    assert add("a.jpg", "b.jpg").status_code == 302
    response = add("c.jpg", "d.jpg", message="Kaksi kuvaa lisää.")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Tähän asiaan voi lisätä enää 1 kuvan. Valitse vähemmän." in html
    assert "Kaksi kuvaa lisää." in html  # the text kept
    assert feedback.photos.count() == 2
    assert add("c.jpg").status_code == 302
    response = add("e.jpg", message="Vielä yksi.")
    assert "Tällä asialla on jo niin monta kuvaa kuin siihen voi liittää." in \
        response.content.decode()
    assert feedback.photos.count() == 3
    # Text alone still goes through.
    assert client.post(url, {"message": "Vielä yksi huomio ilman kuvaa."}).status_code == 302
    assert ModelLogEntry.objects.filter(action="palaute_plugin.follow_up").count() == 3


def form_fields_in_every_state(client, page, url):
    """The page's form fields as served: everything cached afresh, all cached, the page's
    own part gone, the topic list gone, after a category change."""
    from django.core.cache import cache

    from palaute_plugin.models import current_language
    from palaute_plugin.public.caching import (
        bump_categories_version,
        form_cache_keys,
        topic_cache_key,
        warm_form_topics,
    )

    served = [client.get(url).content.decode(), client.get(url).content.decode()]
    cache.delete_many(form_cache_keys(page, current_language()))
    served.append(client.get(url).content.decode())
    cache.delete(topic_cache_key(current_language()))
    served.append(client.get(url).content.decode())
    bump_categories_version()
    served.append(client.get(url).content.decode())
    bump_categories_version()
    warm_form_topics()  # as a category save's commit does
    served.append(client.get(url).content.decode())
    return served


def fresh_form_fields(page, url):
    from django.test import RequestFactory

    from palaute_plugin.public.forms import FeedbackForm
    from palaute_plugin.public.views import render_form_fields

    return render_form_fields(page, FeedbackForm(), RequestFactory().get(url))


def test_privacy_page_address_is_worked_out_from_its_url_path(page, rf,
                                                              django_assert_num_queries):
    from home.models import ContentPage
    from palaute_plugin.models import FeedbackPage

    parent = page.get_parent().add_child(instance=ContentPage(title="Kaupunki", slug="kaupunki"))
    notice = parent.add_child(instance=ContentPage(title="Tietosuoja", slug="tietosuoja"))
    page.privacy_page_id, page.privacy_url = notice.pk, "https://www.tornio.fi/varalla"
    page.save()
    fresh = FeedbackPage.objects.get(pk=page.pk)
    request = rf.get("/palaute/")
    fresh.get_url(request)  # the request's site root paths, as the form page has them
    with django_assert_num_queries(1):  # the page's url_path, and no site
        assert fresh.get_privacy_url(request) == "/kaupunki/tietosuoja/"
    assert fresh.get_privacy_url() == notice.get_url() == "/kaupunki/tietosuoja/"
    notice.delete()  # the link is cleared (SET_NULL); a page held from before falls back
    assert fresh.get_privacy_url(request) == "https://www.tornio.fi/varalla"


@pytest.mark.parametrize("code", ["fi", "sv", "en"])
@pytest.mark.parametrize("variant", ["privacy page, geocoder", "privacy address, no place"])
def test_cached_form_is_the_same_as_a_fresh_render(client, page, category, code, variant,
                                                    settings):
    from django.utils import translation

    from home.models import ContentPage
    from palaute_plugin.models import FeedbackCategory
    from palaute_plugin.public.caching import forget_process_fragments

    CategoryFactory(name_fi="Väylät", other_authority=OtherAuthorityFactory())
    CategoryFactory(name_fi="Puistot", description_fi='Puistot & "leikkipaikat" <b>')
    if variant == "privacy page, geocoder":
        settings.PALAUTE_GEOCODER = "tests.test_geo.TwoPlaces"
        page.privacy_page = page.get_parent().add_child(instance=ContentPage(
            title="Tietosuoja", slug="tietosuoja"))
        page.contact_help = 'Sähköposti & puhelin: "vapaaehtoinen" <i>'
    else:
        FeedbackCategory.objects.update(location_mode=FeedbackCategory.LocationMode.HIDDEN)
        page.privacy_url = "https://www.tornio.fi/tietosuoja?a=1&b=2"
    page.save_revision().publish()
    page.refresh_from_db()
    forget_process_fragments()  # the skeletons of an earlier test's settings
    target = page if code == "fi" else translated_page(page, code, "Palaute")
    url = "/palaute/" if code == "fi" else f"/{code}/palaute/"
    with translation.override(code):
        served = form_fields_in_every_state(client, target, url)
        fresh = fresh_form_fields(target, url)
    assert ("data-place-search" in fresh) is (variant == "privacy page, geocoder")
    assert ("data-location-section" in fresh) is (variant == "privacy page, geocoder")
    assert "notice--authority" in fresh and "&amp; &quot;leikkipaikat&quot; &lt;b&gt;" in fresh
    assert "tietosuoja" in fresh
    for state, html in enumerate(served):
        assert fresh in html, state


def test_a_category_save_renders_the_topic_lists_once_it_commits(
        client, page, django_capture_on_commit_callbacks):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from palaute_plugin.public.caching import categories_version, topic_cache_key

    client.get("/palaute/")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        new = CategoryFactory(name_fi="Uusi aihe", name_sv="Nytt ämne", name_en="New topic")
        CategoryFactory(name_fi="Toinen aihe")
        version = categories_version()
    assert len(callbacks) == 1  # once for the whole transaction
    assert categories_version() != version  # bumped again after the commit
    for code, name in (("fi", new.name_fi), ("sv", new.name_sv), ("en", new.name_en)):
        found_version, (html, _has_location) = cache.get(topic_cache_key(code))
        assert found_version == categories_version() and f">{name}</option>" in html, code
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/palaute/").content.decode()
    assert ">Uusi aihe</option>" in html and ">Toinen aihe</option>" in html
    assert not [q for q in captured if "palaute_plugin_feedbackcategory" in q["sql"]]


def test_a_category_save_stands_if_its_topic_lists_cannot_be_rendered(
        client, page, django_capture_on_commit_callbacks):
    with mock.patch("palaute_plugin.public.views.render_topic", side_effect=RuntimeError), \
            django_capture_on_commit_callbacks(execute=True) as callbacks:
        CategoryFactory(name_fi="Uusi aihe")
    assert len(callbacks) == 1
    assert ">Uusi aihe</option>" in client.get("/palaute/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_topic_select_is_rendered_as_djangos_select_templates_would(language):
    """``CategorySelect.render`` writes the markup itself: character for character what
    Django's ``select.html``/``select_option.html`` render, for an empty, a chosen, an
    invalid and an erroneous field, with groups, lone topics, an authority's topic and
    names that need escaping."""
    from django.forms.renderers import get_default_renderer
    from django.forms.widgets import Select
    from django.utils import translation

    from palaute_plugin.models import OtherAuthority
    from palaute_plugin.public.forms import CategorySelect, FeedbackForm

    from .factories import CategoryFactory

    group = CategoryFactory(name_fi='Katu & "puisto" <b>', name_sv="Gata & park",
                            name_en="Streets & parks")
    child = CategoryFactory(parent=group, location_mode="required", photos_enabled=False)
    CategoryFactory(parent=group, name_fi="Lumi 'ja' jää", name_en="Snow <i>")
    authority = OtherAuthority.objects.create(name_fi="Väylävirasto")
    CategoryFactory(other_authority=authority, location_mode="hidden")
    CategoryFactory(name_fi="Yksin", name_sv="Ensam", name_en="Alone")
    with translation.override(language):
        for data in (None, {"category": str(child.pk)}, {"category": "999999"},
                     {"category": ""}):
            form = FeedbackForm(data=data) if data is not None else FeedbackForm()
            field = form["category"]
            if data is not None:
                form.is_valid()
            attrs = {"aria-describedby": "id_category_helptext", "aria-invalid": "true"}
            ours = field.as_widget(attrs=attrs)
            with mock.patch.object(CategorySelect, "render", Select.render):
                theirs = field.as_widget(attrs=attrs)
            assert isinstance(field.field.widget, CategorySelect)
            assert ours == theirs, data
            assert "<optgroup" in ours and "&amp;" in ours and "data-location=" in ours
    # The renderer's templates are Django's own: no app overrides them.
    engine = get_default_renderer().engine
    for name in CategorySelect.DJANGO_TEMPLATES:
        assert "/django/forms/templates/" in engine.get_template(name).origin.name


def test_privacy_link_is_cached_per_site(client, page):
    """The same feedback page served on a second site (its own hostname, the page as its
    root): the privacy page's address is relative to the site serving the form, and what
    one site cached is not shown on the other."""
    from wagtail.models import Site

    from home.models import ContentPage

    page.privacy_page = page.get_parent().add_child(instance=ContentPage(
        title="Tietosuoja", slug="tietosuoja"))
    page.save_revision().publish()
    Site.objects.create(hostname="palaute.example", port=80, root_page=page)
    first = client.get("/palaute/").content.decode()
    assert 'href="/tietosuoja/"' in first
    other = client.get("/", HTTP_HOST="palaute.example").content.decode()
    assert 'href="/tietosuoja/"' not in other  # there: the feedback page's own sub-route
    assert 'href="http://localhost/tietosuoja/"' in other
    assert 'href="/tietosuoja/"' in client.get("/palaute/").content.decode()


def test_an_empty_form_sent_at_once_shows_only_what_to_fill_in(client, page, category,
                                                               settings):
    """"Sent too quickly" stood in the error summary beside the fields' own errors, which
    confused (acceptance test, 2026-12-03); a complete form sent at once is still held."""
    settings.PALAUTE_MIN_SUBMIT_SECONDS = 3
    response = post(client, page, form_data(category, message=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_message_error"' in html
    assert "liian nopeasti" not in html
    held = post(client, page, form_data(category))
    assert held.status_code == 400
    assert "Lomake lähetettiin liian nopeasti" in held.content.decode()
    assert Feedback.objects.count() == 0
