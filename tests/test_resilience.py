"""The site keeps taking feedback through a Redis restart and a dropped database connection.

What bench/faults.py found on the production stack (scenarios c and d), at unit size.
"""

import importlib

import pytest
import redis
from django.test import TestCase

from cms.settings import base
from palaute_plugin.models import Feedback, Notification
from palaute_plugin.public import antispam
from tests.factories import CategoryFactory, feedback_page

pytestmark = pytest.mark.django_db

TEXT = "Katuvalo ei pala Hallituskadulla, numero 12."
NOBODY_LISTENS = "redis://127.0.0.1:1/0"  # connection refused at once: Redis restarting


@pytest.fixture
def page():
    return feedback_page()


def post(client, category):
    data = {"kind": "feedback", "category": str(category.pk), "message": TEXT, "website": "",
            "contact_email": "asukas@example.com", "form_token": antispam.issue_form_token()}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/palaute/", data)


def test_the_form_takes_feedback_while_redis_is_down(settings, page, client):
    category = CategoryFactory()
    settings.CACHES = {"default": base.redis_cache(NOBODY_LISTENS)}
    assert client.get("/palaute/").status_code == 200
    response = post(client, category)
    assert response.status_code == 302
    assert response["Location"].startswith("/palaute/receipt/")
    case = Feedback.objects.get(message=TEXT)
    # The receipt is queued in the database; the retry schedule delivers it.
    assert Notification.objects.filter(feedback=case, to_resident=True).count() == 1
    assert client.get(response["Location"]).status_code == 200


def test_without_ignoring_its_errors_a_redis_restart_breaks_the_form(settings, page, client):
    # Why the site's cache is django-redis with IGNORE_EXCEPTIONS: Django's own Redis
    # cache raises, and Wagtail reads the cache while routing every page.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": NOBODY_LISTENS}}
    with pytest.raises(redis.ConnectionError):
        client.get("/palaute/")


def test_postgresql_connections_are_checked_before_reuse(monkeypatch):
    # Kept connections (CONN_MAX_AGE) that the server dropped are replaced at the
    # start of the next request or task instead of failing it.
    monkeypatch.setenv("DATABASE_URL", "postgres://palaute@db.example/palaute")
    try:
        database = importlib.reload(base).DATABASES["default"]
        assert database["CONN_MAX_AGE"] > 0
        assert database["CONN_HEALTH_CHECKS"] is True
    finally:
        monkeypatch.undo()
        importlib.reload(base)
