"""``manage.py palaute_demo`` (contract name): demo content, idempotent."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import TestCase

from palaute_plugin.models import Feedback, FeedbackCategory, OtherAuthority

pytestmark = pytest.mark.django_db


def run_demo():
    out = io.StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("palaute_demo", stdout=out)
    return out.getvalue()


def test_demo_creates_the_site_and_is_idempotent(client, settings, tmp_path):
    settings.PALAUTE_PHOTO_ROOT = str(tmp_path)
    output = run_demo()
    counts = (Feedback.objects.count(), FeedbackCategory.objects.count(),
              OtherAuthority.objects.count(), get_user_model().objects.count(),
              Group.objects.count())
    run_demo()
    assert counts == (Feedback.objects.count(), FeedbackCategory.objects.count(),
                      OtherAuthority.objects.count(), get_user_model().objects.count(),
                      Group.objects.count())
    assert "tornio-demo" in output and "admin" in output and "/palaute/" in output
    for url, lang in (("/palaute/", "fi"), ("/sv/palaute/", "sv"), ("/en/palaute/", "en")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{lang}">' in response.content.decode()
    codes = set(FeedbackCategory.objects.filter(parent=None).values_list("service_code",
                                                                          flat=True))
    assert {"asuminen", "liikenne", "ymparisto", "kiinteistonhoito",
            "ateria-ja-puhtauspalvelut", "palautejarjestelma"} <= codes
    pilot = FeedbackCategory.objects.get(service_code="palautejarjestelma")
    assert pilot.handler_group.name == "Palautejärjestelmän kehittäjät"
    assert FeedbackCategory.objects.get(service_code="valtatiet").other_authority is not None
    assert Feedback.objects.count() >= 5
    response = client.post("/admin/login/", {"username": "liikenne", "password": "tornio-demo"})
    assert response.status_code == 302, "the demo handler could not log in"
    assert client.get("/admin/palaute/").status_code == 200


def test_demo_without_a_home_page_model_uses_the_site_root(client, settings, tmp_path):
    """A site without the city's ``home`` app: the pages go under the default site's
    root page (Wagtail's own welcome page here), which is kept."""
    from wagtail.models import Page, Site

    from palaute_plugin.models import FeedbackPage

    settings.PALAUTE_PHOTO_ROOT = str(tmp_path)
    settings.PALAUTE_DEMO_HOME_PAGE = None
    welcome = Site.objects.get(is_default_site=True).root_page
    assert type(welcome.specific) is Page
    run_demo()
    page = FeedbackPage.objects.get(locale__language_code="fi")
    assert page.get_parent().pk == welcome.pk
    assert Site.objects.get(is_default_site=True).root_page_id == welcome.pk
    assert client.get("/palaute/").status_code == 200
    assert Feedback.objects.filter(page=page).exists()
