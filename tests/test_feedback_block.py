"""``FeedbackBlock`` on an ordinary content page: the compact form and its checks."""

import io

import pytest
from django.core import mail
from django.test import Client, TestCase
from PIL import Image
from wagtail.models import Site

from home.models import ContentPage
from palaute_plugin.models import Feedback
from palaute_plugin.public import antispam

from .factories import CategoryFactory, feedback_page, site_root

pytestmark = pytest.mark.django_db


@pytest.fixture
def winter(responsible):
    return CategoryFactory(name_fi="Talvikunnossapito", name_sv="Vinterunderhåll",
                           name_en="Winter maintenance", responsible_person=responsible)


def content_page(slug="talvikunnossapito", **block):
    page = ContentPage(title="Katujen talvikunnossapito", slug=slug, body=[
        ("paragraph", "<p>Aurataan ensin pääkadut.</p>"),
        ("feedback", {"heading": "Anna palautetta talvikunnossapidosta", **block}),
    ])
    site_root().add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def page(winter):
    feedback_page()
    return content_page(category=winter)


def block_id(page):
    return page.body[1].id


def block_data(page, **overrides):
    prefix = f"palaute-{block_id(page)}"
    data = {"palaute_block": block_id(page), "form_token": antispam.issue_form_token(),
            f"{prefix}-kind": "feedback",
            f"{prefix}-category": str(getattr(page.body[1].value.get("category"), "pk", "")),
            f"{prefix}-message": "Jalkakäytävä on auraamatta Hallituskadulla.",
            f"{prefix}-address": "Hallituskatu 3",
            f"{prefix}-contact_email": "maija@example.com", f"{prefix}-website": ""}
    for key, value in overrides.items():
        data[f"{prefix}-{key}" if key not in ("form_token", "palaute_block") else key] = value
    return data


def post(client, page, data):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(page.url, data)


def test_page_shows_the_compact_form_with_the_category_preselected(client, page, winter):
    html = client.get(page.url).content.decode()
    assert "Anna palautetta talvikunnossapidosta" in html
    assert f'type="hidden" name="palaute-{block_id(page)}-category" value="{winter.pk}"' in html
    assert "Talvikunnossapito" in html
    assert "contact_phone" not in html
    assert 'name="form_token"' in html


def test_valid_post_creates_a_case_and_redirects_back_with_the_receipt(client, page, winter,
                                                                        responsible):
    response = post(client, page, block_data(page))
    assert response.status_code == 302
    case = Feedback.objects.get()
    assert response["Location"].startswith(page.url + "?")
    assert (case.category, case.source_page_id, case.channel, case.assignee) == (
        winter, page.pk, "web", responsible)
    assert case.address == "Hallituskatu 3"
    receipt_page = client.get(response["Location"])
    html = receipt_page.content.decode()
    assert case.reference in html
    assert f"/palaute/status/{case.tracking_token}/" in html
    assert receipt_page["Cache-Control"] == "private, no-store"
    resident = [m for m in mail.outbox if m.to == ["maija@example.com"]]
    assert len(resident) == 1
    assert case.reference in resident[0].subject


def test_back_and_send_again_shows_the_first_receipt_and_makes_no_second_case(client, page,
                                                                             settings):
    first = post(client, page, block_data(page))
    waited = settings.PALAUTE_MIN_SUBMIT_SECONDS
    settings.PALAUTE_MIN_SUBMIT_SECONDS = 3  # sent again at once: not "too fast"
    again = post(client, page, block_data(page))  # the reloaded page's new token
    settings.PALAUTE_MIN_SUBMIT_SECONDS = waited
    case = Feedback.objects.get()
    assert again.status_code == 302
    assert "again=1" in again["Location"] and "again" not in first["Location"]
    html = client.get(again["Location"]).content.decode()
    assert case.reference in html
    assert "joten sitä ei lähetetty kahteen kertaan" in html
    assert len([m for m in mail.outbox if m.to == ["maija@example.com"]]) == 1
    other_text = post(client, page, block_data(page, message="Nyt on auraamatta Torikatu."))
    assert "again" not in other_text["Location"]
    assert Feedback.objects.count() == 2


def test_the_same_text_in_a_block_on_another_page_is_not_swallowed(client, page, winter):
    """The block shows only its own page's receipts: the same post on another page's block
    is a case of that page (it came back to an empty form, saying nothing)."""
    post(client, page, block_data(page))
    other = content_page(slug="lumityot", category=winter)
    response = post(client, other, block_data(other))
    assert "again" not in response["Location"]
    case = Feedback.objects.get(source_page=other.pk)
    assert case.reference in client.get(response["Location"]).content.decode()


def test_someone_elses_token_shows_no_receipt(client, page):
    post(client, page, block_data(page))
    case = Feedback.objects.get()
    html = Client().get(f"{page.url}?palaute=wrong-{case.tracking_token}&lohko={block_id(page)}"
                        ).content.decode()
    assert case.reference not in html


def test_group_choice_lists_only_the_groups_categories(client, winter):
    feedback_page()
    group = CategoryFactory(name_fi="Kadut")
    inside = CategoryFactory(name_fi="Katujen kunto", parent=group)
    outside = CategoryFactory(name_fi="Asuminen")
    page = content_page(slug="kadut", category_group=group)
    html = client.get(page.url).content.decode()
    assert inside.name_fi in html
    assert outside.name_fi not in html
    response = post(client, page, block_data(page, category=str(outside.pk)))
    assert response.status_code == 400
    assert not Feedback.objects.exists()
    response = post(client, page, block_data(page, category=str(inside.pk)))
    assert Feedback.objects.get().category == inside


@pytest.mark.parametrize(("overrides", "status", "message"), [
    ({"message": ""}, 400, "Kirjoita viestisi."),
    ({"contact_email": "ei-osoite"}, 400, "nimi@esimerkki.fi"),
    ({"form_token": "forged"}, 400, "Lomaketta ei voitu varmentaa"),
])
def test_bad_input_keeps_the_text_and_creates_nothing(client, page, overrides, status,
                                                      message):
    response = post(client, page, block_data(page, **overrides))
    html = response.content.decode()
    assert response.status_code == status
    assert message in html
    assert "data-error-summary" in html
    assert not Feedback.objects.exists()


def test_the_block_shown_again_keeps_the_time_it_was_first_shown(client, page, settings):
    """Send right after the block's error page was "sent too fast" (a token issued anew)."""
    from .antispam_helpers import token_shown_a_minute_ago, token_shown_again

    settings.PALAUTE_MIN_SUBMIT_SECONDS = 3
    shown = token_shown_a_minute_ago()
    response = post(client, page, block_data(page, message="", form_token=shown))
    assert response.status_code == 400
    again = token_shown_again(response, shown)
    assert post(client, page, block_data(page, form_token=again)).status_code == 302


def test_script_in_the_message_is_escaped(client, page):
    response = post(client, page, block_data(page, message="<script>alert(1)</script>x" * 2,
                                              form_token="forged"))
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_honeypot_saves_nothing(client, page):
    response = post(client, page, block_data(page, website="http://spam.example"))
    assert response.status_code == 302
    assert not Feedback.objects.exists()
    assert mail.outbox == []


def test_damaged_photo_is_refused(client, page):
    broken = io.BytesIO(b"\xff\xd8\xff\xe0 not really a jpeg")
    broken.name = "kuva.jpg"
    data = block_data(page)
    data[f"palaute-{block_id(page)}-photos"] = broken
    response = post(client, page, data)
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_photo_is_attached(client, page):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "kuva.jpg"
    data = block_data(page)
    data[f"palaute-{block_id(page)}-photos"] = buffer
    assert post(client, page, data).status_code == 302
    assert Feedback.objects.get().photos.count() == 1


def test_unknown_block_is_refused(client, page):
    response = post(client, page, block_data(page, palaute_block="nope"))
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_csrf_is_required(page):
    response = Client(enforce_csrf_checks=True).post(page.url, block_data(page))
    assert response.status_code == 403
    assert not Feedback.objects.exists()


def test_editor_must_choose_a_category_or_group():
    from wagtail.blocks.struct_block import StructBlockValidationError

    from palaute_plugin.blocks import FeedbackBlock

    block = FeedbackBlock()
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({"heading": "", "category": None, "category_group": None}))


def test_editors_see_the_block_the_mapping_and_the_link_setting(admin_client, page):
    from .legacy_fixtures import legacy_form

    form = legacy_form()
    html = admin_client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "Palautelomake" in html  # the block, in the editor's language
    assert "feedback_category" in html
    html = admin_client.get(f"/admin/pages/{form.pk}/edit/").content.decode()
    assert "route_to_feedback" in html and "feedback_message_field" in html
    site = Site.objects.get(is_default_site=True)
    response = admin_client.get(f"/admin/settings/home/feedbacklinksettings/{site.pk}/")
    assert response.status_code == 200
    assert "show_feedback_link" in response.content.decode()


def test_block_on_a_swedish_page_answers_in_swedish(client, page, winter):
    from .legacy_fixtures import translated_form

    swedish = translated_form(page, "sv", "Vinterunderhåll")
    html = client.get(swedish.url).content.decode()
    assert "Vinterunderhåll" in html and "Skicka" in html
    response = post(client, swedish, block_data(swedish))
    assert response.status_code == 302
    case = Feedback.objects.get()
    assert (case.language, case.source_page_id) == ("sv", swedish.pk)
    receipt = client.get(response["Location"]).content.decode()
    assert "Tack, din respons har tagits emot." in receipt
    resident = [m for m in mail.outbox if m.to == ["maija@example.com"]]
    assert resident[0].subject.startswith("Din respons har tagits emot")
