"""Oversized posts are refused from their Content-Length, before the body is read."""

import pytest

from palaute_plugin.models import Feedback
from palaute_plugin.public.middleware import max_request_bytes
from tests.factories import UserFactory, feedback_page

pytestmark = pytest.mark.django_db


def test_the_default_cap_is_five_photos_and_the_form(settings):
    settings.PALAUTE_MAX_PHOTOS = 5
    settings.PALAUTE_PHOTO_MAX_BYTES = 15 * 1024 * 1024
    assert max_request_bytes() == 76 * 1024 * 1024


def test_an_oversized_post_gets_a_translated_413_without_being_read(client, settings):
    feedback_page()
    settings.PALAUTE_MAX_REQUEST_BYTES = 1000
    response = client.post("/palaute/", {"message": "x" * 2000})
    html = response.content.decode()
    assert response.status_code == 413
    assert "Kuvat olivat liian suuria" in html
    assert 'href="/palaute/"' in html
    assert Feedback.objects.count() == 0


def test_a_post_within_the_cap_reaches_the_form(client, settings):
    feedback_page()
    settings.PALAUTE_MAX_REQUEST_BYTES = 100_000
    response = client.post("/palaute/", {"message": "lyhyt"})
    assert response.status_code == 400  # the form's own errors


def test_the_admin_is_not_capped(client, settings):
    settings.PALAUTE_MAX_REQUEST_BYTES = 10
    client.force_login(UserFactory(is_superuser=True))
    response = client.post("/admin/login_lockouts/", {"q": "x" * 100})
    assert response.status_code != 413
