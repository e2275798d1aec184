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


def test_the_413_passes_a_wsgi_servers_checks(settings):
    """Through a real WSGI server's handler (wsgiref's, as runserver uses): the refusal
    sent "Connection: close", a hop-by-hop header a WSGI application may not send, and the
    resident got a bare 500 in English (acceptance test, 2026-12-03)."""
    from io import BytesIO
    from wsgiref.handlers import SimpleHandler
    from wsgiref.util import setup_testing_defaults

    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    feedback_page()
    settings.PALAUTE_MAX_REQUEST_BYTES = 1000
    body = b"message=" + b"x" * 2000
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/palaute/", "SCRIPT_NAME": "",
               "QUERY_STRING": "", "SERVER_NAME": "testserver",
               "CONTENT_TYPE": "application/x-www-form-urlencoded",
               "CONTENT_LENGTH": str(len(body))}
    setup_testing_defaults(environ)
    output, errors = BytesIO(), BytesIO()
    # As Django's test client does: a real handler's request signals would close the
    # test's database connection (PostgreSQL: "the connection is closed").
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        SimpleHandler(BytesIO(body), output, errors, environ).run(get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    answer = output.getvalue().decode()
    assert answer.startswith("HTTP/1.0 413"), (answer[:200], errors.getvalue())
    assert "Kuvat olivat liian suuria" in answer
