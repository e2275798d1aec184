"""Content-Security-Policy and Permissions-Policy on public pages and in the admin."""

import pytest

from tests.factories import FeedbackFactory, UserFactory, feedback_page

pytestmark = pytest.mark.django_db


def directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_the_form_page_has_a_strict_policy_and_may_ask_for_the_location(client):
    feedback_page()
    response = client.get("/palaute/")
    csp = directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "geolocation=(self)" in response["Permissions-Policy"]
    # Everything else the site's other pages deny, the form denies too (it allowed the
    # motion sensors and screen capture: operator acceptance test, 2026-12-03).
    for feature in ("camera", "microphone", "accelerometer", "gyroscope", "magnetometer",
                    "display-capture", "payment", "usb"):
        assert f"{feature}=()" in response["Permissions-Policy"], feature


def test_other_public_pages_may_not_ask_for_the_location(client):
    page = feedback_page()
    feedback = FeedbackFactory(page=page)
    response = client.get(f"/palaute/status/{feedback.tracking_token}/")
    assert "geolocation=()" in response["Permissions-Policy"]
    assert directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]


def test_the_tile_server_is_allowed_for_images_only(settings):
    from cms.settings.base import csp_directives

    policy = csp_directives("https://tiles.tornio.example/{z}/{x}/{y}.png")
    assert policy["img-src"][-1] == "https://tiles.tornio.example"
    assert all("tiles.tornio.example" not in " ".join(v) for k, v in policy.items()
               if k != "img-src")


def test_the_admin_allows_inline_code_but_no_other_origin(client):
    client.force_login(UserFactory(is_superuser=True))
    response = client.get("/admin/")
    csp = directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["default-src"] == ["'self'"]
    assert "http" not in response["Content-Security-Policy"]
