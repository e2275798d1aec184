"""A resident's photos survive a form shown again with errors (phone, Chromium, axe)."""

import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import expect

from palaute_plugin.models import Feedback

pytestmark = pytest.mark.django_db(transaction=True)

RECEIPT_URL = re.compile(r"/palaute/receipt/[\w-]+/$")


def jpeg(path, colour):
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_photos_survive_an_error_and_one_can_be_removed(phone, form_url, categories,
                                                        tmp_path):
    page = phone
    page.goto(form_url)
    page.select_option("#id_category", label=categories["lighting"].name_fi)
    page.fill("#id_message", "lyhyt")
    page.set_input_files("#id_photos", [jpeg(tmp_path / "valo.jpg", (200, 30, 30)),
                                        jpeg(tmp_path / "tolppa.jpg", (30, 30, 200))])
    with page.expect_navigation():
        page.click("button[data-submit]")

    kept = page.locator(".kept-photos")
    expect(kept.locator("legend")).to_have_text("Kuvasi (2) on tallessa")
    expect(kept.locator("img")).to_have_count(2)
    loaded = kept.locator("img").evaluate_all("images => images.map(i => i.naturalWidth > 0)")
    assert loaded == [True, True]
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    page.get_by_label("Poista tolppa.jpg").check()
    page.fill("#id_message", "Katuvalo on ollut rikki jo viikon.")
    with page.expect_navigation(url=RECEIPT_URL):
        page.click("button[data-submit]")
    feedback = Feedback.objects.get()
    assert list(feedback.photos.values_list("state", flat=True)) == ["ready"]


def test_too_many_photos_are_said_before_sending(phone, form_url, categories, tmp_path,
                                                 settings):
    settings.PALAUTE_MAX_PHOTOS = 2
    page = phone
    page.goto(form_url)
    page.select_option("#id_category", label=categories["lighting"].name_fi)
    files = [jpeg(tmp_path / f"kuva{number}.jpg", (number * 60, 30, 30)) for number in range(3)]
    page.set_input_files("#id_photos", files)
    expect(page.locator("#id_photos_count_error")).to_have_text(
        "Voit liittää enintään 2 kuvaa. Poista osa kuvista.")
    page.set_input_files("#id_photos", files[:2])
    expect(page.locator("#id_photos_count_error")).to_be_hidden()
