"""The site-wide "Give feedback" link and the category it preselects."""

import pytest
from wagtail.models import Locale, Site

from home.models import ContentPage, FeedbackLinkSettings

from .factories import CategoryFactory, feedback_page, site_root
from .test_public_form import translated_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def winter():
    return CategoryFactory(name_fi="Talvikunnossapito", name_sv="Vinterunderhåll")


@pytest.fixture
def section(winter):
    """A section page mapped to winter maintenance, with a subpage that sets nothing."""
    top = site_root().add_child(instance=ContentPage(
        title="Kadut", slug="kadut", feedback_category=winter))
    child = top.add_child(instance=ContentPage(title="Auraus", slug="auraus"))
    return top, child


@pytest.fixture
def link(section):
    page = feedback_page()
    FeedbackLinkSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"show_feedback_link": True, "feedback_page": page})
    return page


def test_link_on_every_page_carries_the_page(client, section, link):
    top, child = section
    html = client.get(child.url).content.decode()
    assert f'<a class="feedback-link" href="/palaute/?from={child.pk}">Anna palautetta</a>' in html


def test_link_can_be_switched_off(client, section, link):
    FeedbackLinkSettings.objects.update(show_feedback_link=False)
    assert "feedback-link" not in client.get(section[1].url).content.decode()


def test_no_link_without_a_feedback_page(client, section):
    assert "feedback-link" not in client.get(section[1].url).content.decode()


def test_subpage_preselects_its_sections_category(client, section, link, winter):
    html = client.get(f"/palaute/?from={section[1].pk}").content.decode()
    assert f'<option value="{winter.pk}" selected data-location' in html


@pytest.mark.parametrize("value", ["abc", "999999", "-1"])
def test_unknown_or_bad_page_preselects_nothing(client, link, winter, value):
    html = client.get(f"/palaute/?from={value}").content.decode()
    assert f'<option value="{winter.pk}" data-location' in html
    assert "selected data-location" not in html


def test_link_in_swedish_goes_to_the_swedish_page(client, section, link):
    swedish = translated_page(link, "sv", "Respons")
    top, _child = section
    sv_top = top.copy_for_translation(Locale.objects.get(language_code="sv"))
    sv_top.save_revision().publish()
    html = client.get(sv_top.url).content.decode()
    assert f'href="{swedish.url}?from={sv_top.pk}">Ge respons</a>' in html


def test_case_sent_through_the_link_records_the_page(client, section, link, winter):
    from django.test import TestCase

    from palaute_plugin.models import Feedback
    from palaute_plugin.public import antispam

    child = section[1]
    html = client.get(f"/palaute/?from={child.pk}").content.decode()
    assert f'<input type="hidden" name="from" value="{child.pk}">' in html
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/palaute/", {
            "kind": "feedback", "category": str(winter.pk), "from": str(child.pk),
            "message": "Auraus unohtui Aurauskadulta.", "website": "",
            "form_token": antispam.issue_form_token()})
    assert response.status_code == 302
    assert Feedback.objects.get().source_page_id == child.pk
