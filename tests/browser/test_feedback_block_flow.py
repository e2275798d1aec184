"""The compact feedback form on an ordinary page, in Chromium on a phone: send, see the
receipt in the block, go Back and send again without making a second case."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from palaute_plugin.models import Feedback
from tests.test_feedback_block import content_page

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE = "Jalkakäytävä on auraamatta Hallituskadulla koulun kohdalla."


def test_resident_sends_from_a_content_page_and_back_and_send_again_is_one_case(
        phone, live_server, categories):
    lighting = categories["lighting"]
    content = content_page(category=lighting)
    block = f"#palaute-{content.body[1].id}"
    page = phone

    def send():
        page.locator(f"{block} textarea").fill(MESSAGE)
        page.locator(f"{block} input[type=email]").fill("maija@example.com")
        page.locator(f"{block} button[type=submit]").click()

    page.goto(live_server.url + content.url)
    expect(page.locator(block)).to_contain_text(f"Aihe: {lighting.name_fi}")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    send()
    page.wait_for_url(re.compile(r"\?palaute=[\w-]+&lohko=[\w-]+#palaute-"))
    feedback = Feedback.objects.get()
    receipt = page.locator(f"{block} .notice[role=status]")
    expect(receipt).to_contain_text(feedback.reference)
    expect(receipt).not_to_contain_text("kahteen kertaan")

    page.go_back()
    expect(page.locator(f"{block} textarea")).to_be_visible()
    send()
    page.wait_for_url(re.compile(r"&again=1#palaute-"))
    expect(receipt).to_contain_text(feedback.reference)
    expect(receipt).to_contain_text("joten sitä ei lähetetty kahteen kertaan")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert Feedback.objects.count() == 1
    assert len([m for m in mail.outbox if m.to == ["maija@example.com"]]) == 1
