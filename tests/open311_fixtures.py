"""Cases, public records and API keys of the Open311 tests."""

from datetime import timedelta

import pytest
from django.utils import timezone

from palaute_plugin.open311.models import ApiKey, ServiceAttribute
from palaute_plugin.publication.models import FeedbackPublication

from .factories import FeedbackFactory

API = "/open311/v2/"


def publish_directly(case, *, title="Katuvalo ei pala", text="Katuvalo ei pala.",
                     answer="", photos=()):
    """A live public record of ``case`` without the workflow (for lists of many)."""
    now = timezone.now()
    return FeedbackPublication.objects.create(
        feedback=case, reference=case.reference, title=title, text=text,
        category_id=case.category_id, latitude=case.latitude, longitude=case.longitude,
        shown_status=case.status, public_answer=answer, live=True, first_published_at=now,
        last_published_at=now)


def case(category, *, days_ago=1, **fields):
    created = timezone.now() - timedelta(days=days_ago)
    return FeedbackFactory(category=category, created_at=created, **fields)


def new_key(**fields):
    key = ApiKey(name=fields.pop("name", "Kaupunkisovellus"), **fields)
    secret = key.issue()
    key.save()
    return key, secret


@pytest.fixture
def api_key():
    return new_key(channel_label="mobiilisovellus")


@pytest.fixture
def danger(streets):
    return ServiceAttribute.objects.create(
        category=streets, code="dangerous", datatype=ServiceAttribute.Datatype.SINGLE,
        required=True, description_fi="Onko tilanne vaarallinen?",
        description_sv="Är situationen farlig?", description_en="Is it dangerous?",
        values="yes=Kyllä\nno=Ei")
