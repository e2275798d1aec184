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


def account_form_data(html):
    """What the browser would post from Wagtail's account settings form, as shown."""
    from bs4 import BeautifulSoup

    form = BeautifulSoup(html, "html.parser").find(
        "form", attrs={"method": lambda method: (method or "").lower() == "post"})
    data = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name, kind = field.get("name"), field.get("type", "")
        if not name or kind in ("file", "submit") or field.has_attr("disabled"):
            continue
        if kind in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data.setdefault(name, []).append(field.get("value", "on"))
        elif field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            data[name] = chosen.get("value", "") if chosen else ""
        elif field.name == "textarea":
            data[name] = field.text
        else:
            data[name] = field.get("value", "")
    return data


def test_a_demo_handler_can_change_their_admin_language(client, settings, tmp_path):
    from wagtail.users.models import UserProfile

    settings.PALAUTE_PHOTO_ROOT = str(tmp_path)
    run_demo()
    handler = get_user_model().objects.get(username="liikenne")
    assert handler.first_name and handler.last_name
    client.force_login(handler)
    data = account_form_data(client.get("/admin/account/").content.decode())
    assert "locale-preferred_language" in data
    assert UserProfile.get_for_user(handler).preferred_language != "sv"
    data["locale-preferred_language"] = "sv"

    response = client.post("/admin/account/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert UserProfile.get_for_user(handler).preferred_language == "sv"
    page = client.get("/admin/account/").content.decode()
    assert 'lang="sv"' in page
    assert "<title>Konto - " in page  # the admin speaks Swedish


def test_demo_has_legacy_forms_and_a_feedback_block_page(client, settings, tmp_path):
    from wagtail.contrib.forms.models import FormSubmission

    from home.models import ContentPage, FormPage

    settings.PALAUTE_PHOTO_ROOT = str(tmp_path)
    run_demo()
    run_demo()
    assert FormPage.objects.filter(locale__language_code="fi").count() == 3
    assert FormPage.objects.count() == 9
    assert FormSubmission.objects.count() == 4
    routed = Feedback.objects.get(channel="legacy_form")
    assert routed.category.service_code == "liikuntapaikat"
    for url in ("/liikuntapaikkojen-varauskysymys/", "/sv/liikuntapaikkojen-varauskysymys/",
                "/en/kirjaston-palaute/"):
        assert client.get(url).status_code == 200, url
    page = ContentPage.objects.get(slug="katujen-talvikunnossapito",
                                   locale__language_code="fi")
    html = client.get(page.url).content.decode()
    assert "Anna palautetta talvikunnossapidosta" in html
    winter = FeedbackCategory.objects.get(service_code="talvikunnossapito")
    assert f'value="{winter.pk}"' in html
    assert f'href="/palaute/?from={page.pk}"' in html
    english = client.get("/en/kirjaston-palaute/").content.decode()
    assert "Your feedback" in english


def test_demo_cases_escalate_to_a_supervisor(settings, tmp_path):
    """Every demo category has a supervisor's address, so an overdue demo case is
    escalated to it as well as to the responsible person."""
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone

    from palaute_plugin.insights import clock
    from palaute_plugin.management.commands.palaute_demo import SUPERVISOR_EMAIL

    settings.PALAUTE_PHOTO_ROOT = str(tmp_path)
    output = run_demo()
    assert SUPERVISOR_EMAIL in output
    assert set(FeedbackCategory.objects.values_list("supervisor_email", flat=True)) == {
        SUPERVISOR_EMAIL}
    case = Feedback.objects.filter(category__service_code="katuvalaistus").first()
    now = timezone.now()
    Feedback.objects.filter(pk=case.pk).update(due_at=now - timedelta(hours=1),
                                               first_response_at=None, status="new")
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert clock.send_escalations(now) == 1
    assert sorted(message.to[0] for message in mail.outbox) == sorted([
        "liikenne@tornio.example", SUPERVISOR_EMAIL])


def test_every_demo_topic_that_takes_feedback_tells_someone(settings, tmp_path):
    """The culture and sports topics' handler group has no demo login: their feedback sat
    "new" with nobody told, while the resident's receipt said it had been passed on."""
    from palaute_plugin.notifications import anyone_told

    settings.PALAUTE_PHOTO_ROOT = str(tmp_path)
    run_demo()
    silent = [category.service_code
              for category in FeedbackCategory.objects.accepting_feedback()
              if not anyone_told(category.responsible_person, category.handler_group,
                                 category.notification_emails)]
    assert silent == []
    assert FeedbackCategory.objects.accepting_feedback().filter(
        service_code="kirjasto").exists()


def test_a_question_about_a_route_to_school_has_a_topic_without_a_place(settings, tmp_path):
    """A parent asking about a school route had to guess a topic; the streets' ones ask
    for a place (acceptance test, 2026-12-03)."""
    settings.PALAUTE_PHOTO_ROOT = str(tmp_path)
    run_demo()
    topic = FeedbackCategory.objects.accepting_feedback().get(
        service_code="liikenneturvallisuus")
    assert topic.name_fi == "Liikenneturvallisuus ja koulumatkat"
    assert topic.location_mode == FeedbackCategory.LocationMode.OPTIONAL
