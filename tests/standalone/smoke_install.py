"""Smoke test of the installed package in a site without ``cms`` or ``home``.

Run by ``tests/standalone/run.sh`` in a fresh virtualenv (not collected by the main
suite: its files are ``test_*.py``). A resident sends feedback with a photo through a
FeedbackPage made here under the site's root page, the handler of the category finds it
in the admin inbox and sees the photo, the receipt email is queued and delivered.
"""

import io
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.staticfiles import finders
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django_q.models import OrmQ
from PIL import Image
from wagtail.models import Site

from palaute_plugin import tasks
from palaute_plugin.conf import palaute_setting
from palaute_plugin.models import (
    Feedback,
    FeedbackCategory,
    FeedbackPage,
    FeedbackPhoto,
    Notification,
)
from palaute_plugin.staff.viewsets import feedback_viewset

pytestmark = pytest.mark.django_db


def test_system_checks_pass_and_static_files_are_found():
    call_command("check", "--fail-level", "WARNING")
    for path in ("leaflet/leaflet.js", "palaute_plugin/vendor/jquery/jquery.min.js",
                 "palaute_plugin/js/map.js", "palaute_plugin/css/palaute.css",
                 "wagtailgeowidget/js/leaflet-field.js"):
        assert finders.find(path), path


@pytest.fixture
def handler():
    group = Group.objects.create(name="Street lighting handlers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user = get_user_model().objects.create_user("handler", "handler@example.org", "pw")
    user.groups.add(group)
    return user


@pytest.fixture
def category(handler):
    return FeedbackCategory.objects.create(
        name_fi="Katuvalaistus", name_sv="Gatubelysning", name_en="Street lighting",
        service_code="street-lighting", handler_group=handler.groups.get(),
        responsible_person=handler, expected_response_days=7)


@pytest.fixture
def page():
    root = Site.objects.get(is_default_site=True).root_page
    return root.add_child(instance=FeedbackPage(title="Feedback", slug="feedback",
                                                intro="<p>Tell us.</p>"))


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 30)).save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "lamp.jpg"
    return buffer


def submit(client, page, category):
    form = client.get(page.url)
    assert form.status_code == 200
    html = form.content.decode()
    assert "Street lighting" in html and "/static/leaflet/leaflet.js" in html
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    time.sleep(palaute_setting("MIN_SUBMIT_SECONDS") + 0.2)  # the anti-spam minimum
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(page.url, {
            "kind": "feedback", "category": str(category.pk),
            "message": "The street light at the school has been dark for a week.",
            "location": "", "address": "School Street 1",
            "contact_name": "Resident", "contact_email": "resident@example.org",
            "contact_phone": "", "website": "", "form_token": token, "photos": [jpeg()],
        })


def test_resident_submits_with_photo_and_the_handler_sees_it(client, page, category,
                                                             handler):
    response = submit(client, page, category)
    assert response.status_code == 302, response.content.decode()[:2000]
    feedback = Feedback.objects.get()
    assert feedback.category == category and feedback.language == "en"
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200 and feedback.reference in receipt.content.decode()

    # The receipt email is written to the outbox and its delivery queued for qcluster.
    notification = Notification.objects.get(feedback=feedback, to_resident=True,
                                            template="receipt")
    assert notification.recipient == "resident@example.org"
    assert notification.state == Notification.State.PENDING
    assert OrmQ.objects.exists()
    tasks.deliver_notification(notification.pk)  # what the worker runs
    assert [m.to for m in mail.outbox if m.to == ["resident@example.org"]]
    assert any(feedback.reference in m.subject + m.body for m in mail.outbox)

    photo = FeedbackPhoto.objects.get(feedback=feedback)
    tasks.process_photo(photo.pk)
    photo.refresh_from_db()
    assert photo.image and photo.thumbnail

    client.force_login(handler)
    inbox = client.get(reverse(feedback_viewset.get_url_name("index")))
    assert inbox.status_code == 200 and feedback.reference in inbox.content.decode()
    case = client.get(reverse(feedback_viewset.get_url_name("inspect"), args=[feedback.pk]))
    assert case.status_code == 200 and "dark for a week" in case.content.decode()
    image = client.get(reverse(feedback_viewset.get_url_name("photo"), args=[photo.pk, "thumb"]))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"

    stranger = get_user_model().objects.create_user("stranger", "s@example.org", "pw")
    stranger.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(stranger)
    assert client.get(reverse(feedback_viewset.get_url_name("photo"), args=[photo.pk, "thumb"])
                      ).status_code == 404


def test_demo_content_without_a_home_app(client):
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("palaute_demo", "--base-url", "https://feedback.example.org",
                     stdout=io.StringIO())
    page = FeedbackPage.objects.get(locale__language_code="fi")
    assert page.get_parent().pk == Site.objects.get(is_default_site=True).root_page_id
    assert client.get(page.url).status_code == 200
    assert Feedback.objects.count() >= 5
