"""The staff member's own admin language reaches what Wagtail writes around its views
(``palaute_plugin.staff.middleware.AdminLanguageMiddleware``)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.users.models import UserProfile

from palaute_plugin.staff.middleware import AdminLanguageMiddleware

from .admin_fixtures import admin_user, handled_category, handler_of

pytestmark = pytest.mark.django_db


def messages(response):
    return [str(message).strip() for message in get_messages(response.wsgi_request)]


def speaking(user, language):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    return user


@pytest.mark.parametrize(("language", "refusal"), [
    ("sv", "Ledsen, du saknar rättigheter att tillträda detta område."),
    ("en", "Sorry, you do not have permission to access this area."),
    ("fi", "Pahoittelut, mutta sinulla ei ole pääsyä tähän osioon."),
])
def test_the_no_permission_message_is_in_the_staff_members_language(client, language, refusal):
    """Wagtail writes it after its view refused, outside the language it activated for
    the view: a Swedish handler with a Finnish browser read it in Finnish."""
    user = speaking(admin_user(username=f"staff-{language}"), language)
    client.force_login(user)
    other = "fi" if language != "fi" else "sv"
    response = client.get(reverse("wagtailusers_users:index"), HTTP_ACCEPT_LANGUAGE=other)
    assert response.status_code == 302
    assert messages(response) == [refusal]


def test_an_admin_404_page_is_in_the_staff_members_language(client):
    """The admin has no language prefix: the request's language is the site's (Finnish)."""
    user = speaking(handler_of(handled_category("Katuvalaistus")), "sv")
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home") + "palaute/999999/")
    assert response.status_code == 404
    assert response.wsgi_request.LANGUAGE_CODE == "fi"
    assert '<html lang="sv"' in response.content.decode()


def test_without_a_chosen_language_the_sites_stays(client):
    user = admin_user(username="staff-none")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = ""
    profile.save()
    client.force_login(user)
    response = client.get(reverse("wagtailusers_users:index"))
    assert messages(response) == ["Pahoittelut, mutta sinulla ei ole pääsyä tähän osioon."]


def test_outside_the_admin_nothing_is_overridden(rf):
    request = rf.get("/sv/palaute/")
    request.user = speaking(admin_user(username="staff-sv-site"), "en")
    middleware = AdminLanguageMiddleware(lambda request: None)
    assert middleware.preferred_language(request) is None
    request = rf.get(reverse("wagtailadmin_home"))
    request.user = speaking(admin_user(username="staff-en"), "en")
    assert middleware.preferred_language(request) == "en"


@pytest.mark.parametrize(("language", "expected"), [
    ("sv", "svenska"), ("fi", "ruotsi"), ("en", "Swedish")])
def test_a_residents_language_is_named_as_a_sentence_writes_it(language, expected):
    """Django's Swedish catalogue capitalises language names: "på Svenska"."""
    from django.utils import translation

    from palaute_plugin.models import language_name

    with translation.override(language):
        assert language_name("sv") == expected


@pytest.mark.parametrize(("msgid", "swedish", "finnish"), [
    ("Side panel width", "Sidopanelens bredd", "Sivupaneelin leveys"),
    ("Create a new %(model_name)s", "Skapa en ny %(model_name)s", "Luo uusi %(model_name)s"),
    ("%(label)s and Publish", "%(label)s och publicera", "%(label)s ja julkaise"),
])
def test_wagtails_sentences_its_swedish_lacks_are_swedish_not_finnish(msgid, swedish, finnish):
    """Django falls back to the site's Finnish for a sentence Wagtail's Swedish catalog
    lacks: Swedish staff read "Sivupaneelin leveys" (staff acceptance test, 2026-12-03)."""
    from django.utils import translation

    with translation.override("sv"):
        assert translation.gettext(msgid) == swedish
    with translation.override("fi"):
        assert translation.gettext(msgid) == finnish
