"""A moderator draws a blurred area on a photo of a publication (desktop Chromium)."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from playwright.sync_api import expect

from tests.publication_fixtures import proposed
from tests.test_publication_blur import add_detailed_photo

from .test_publication_flow import logged_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_content_types():
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


def test_moderator_draws_an_area_on_a_photo_and_saves_it(
        new_context, form_page, workflow, handler, moderator, personal_case):
    photo = add_detailed_photo(personal_case)
    publication = proposed(personal_case, handler)
    page = logged_in(new_context, moderator)
    page.goto(f"/admin/snippets/palaute_plugin/feedbackpublication/edit/{publication.pk}/")
    page.locator(f'input[name="photos"][value="{photo.pk}"]').check()
    frame = page.locator('[data-photo-number="1"] .palaute-blur__frame')
    expect(frame.locator("img")).to_have_js_property("complete", True)
    box = frame.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.25)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5, steps=5)
    page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.75, steps=5)
    page.mouse.up()
    field = page.locator("#id_blurred_areas")
    expect(field).to_have_value(re.compile(r"^1: 2[45](\.\d)? 2[45](\.\d)? 5\d(\.\d)? 5\d(\.\d)?$"))
    expect(frame.locator(".palaute-blur__area")).to_have_count(1)
    # Typing another line shows it on the photo too.
    field.press("End")
    field.type("\n1: 0 0 10 10")
    expect(frame.locator(".palaute-blur__area")).to_have_count(2)
    with page.expect_navigation():
        page.locator('button[name="action-save"], button[type="submit"]:has-text("Save draft")'
                     ).first.click()
    publication.refresh_from_db()
    areas = publication.get_latest_revision().as_object().blur_areas[str(photo.pk)]
    assert len(areas) == 2
    assert areas[1] == [0.0, 0.0, 0.1, 0.1]
    assert all(abs(value - expected) < 0.02 for value, expected in
               zip(areas[0], [0.25, 0.25, 0.5, 0.5], strict=True))
