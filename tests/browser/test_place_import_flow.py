"""An editor imports the city's places from a file in the admin: a file with an error
imports nothing and says which line; the corrected file imports every place."""

import re

import pytest
from playwright.sync_api import expect

from palaute_plugin.places.models import Place

from ..admin_fixtures import in_english
from ..test_place_import_view import GOOD_CSV
from .test_staff_flow import DESKTOP, PASSWORD, axe_page, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_editor_imports_places_from_a_file(new_context, django_user_model, tmp_path, settings):
    settings.WAGTAIL_ENABLE_UPDATE_CHECK = False  # a superuser's dashboard asks the internet
    editor = in_english(django_user_model.objects.create_superuser(
        "toimittaja", "t@tornio.example", PASSWORD))
    bad_file = tmp_path / "paikat.csv"
    bad_file.write_text(GOOD_CSV + "castle,Linna,,,,65.84,24.14,,,,,\n", encoding="utf-8")
    good_file = tmp_path / "paikat-korjattu.csv"
    good_file.write_text(GOOD_CSV, encoding="utf-8")

    page = new_context(**DESKTOP).new_page()
    log_in(page, editor)
    page.goto("/admin/snippets/palaute_plugin/place/")
    page.get_by_role("link", name="Import from a file").click()
    page.wait_for_url(re.compile(r"/place/import/$"))
    expect(page.locator("h1")).to_contain_text("Import places")
    axe_page(page)

    page.locator("#id_file").set_input_files(str(bad_file))
    with page.expect_navigation():
        page.get_by_role("button", name="Import", exact=True).click()
    errors = page.locator("#palaute-import-errors")
    expect(errors).to_contain_text("Line 4: ")
    expect(errors).to_contain_text("castle")
    expect(page.locator(".messages .error")).to_contain_text("Nothing was imported")
    assert not Place.objects.exists()

    page.locator("#id_file").set_input_files(str(good_file))
    with page.expect_navigation():
        page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r"/snippets/palaute_plugin/place/$"))
    expect(page.locator(".messages .success")).to_contain_text(
        "Imported 2 new and updated 0 places.")
    expect(page.locator("main")).to_contain_text("Kaupungintalo")
    assert Place.objects.count() == 2
