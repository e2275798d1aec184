"""People, categories and cases shared by the staff-side tests (admin views, actions,
inbox, dashboard). The fixtures are made available to every test through conftest.py;
a test module that needs something different defines its own fixture of the same name.
"""

import io
import secrets

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image
from wagtail.users.models import UserProfile

from palaute_plugin.models import FeedbackPhoto
from palaute_plugin.staff.viewsets import feedback_viewset

from .factories import CategoryFactory, FeedbackFactory, GroupFactory, UserFactory


def admin_access():
    return Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")


def in_english(user):
    """Assertions read our English msgids, whatever .po files arrive later."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def admin_user(**fields):
    """An English-speaking user who may use the Wagtail admin, in no handler group."""
    user = in_english(UserFactory(**fields))
    user.user_permissions.add(admin_access())
    return user


def assert_sent_to_login(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def handled_category(group_name, **fields):
    """A category whose handler group may use the Wagtail admin."""
    group = GroupFactory(name=group_name)
    group.permissions.add(admin_access())
    return CategoryFactory(handler_group=group, **fields)


def handler_of(category, **fields):
    """An English-speaking user in the category's handler group."""
    user = in_english(UserFactory(**fields))
    user.groups.add(category.handler_group)
    return user


def detail_url(feedback):
    return reverse(feedback_viewset.get_url_name("inspect"), args=[feedback.pk])


def jpeg_bytes(size=(40, 30), color="red"):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def add_photo(feedback, sort_order=0):
    photo = FeedbackPhoto(feedback=feedback, width=40, height=30, sort_order=sort_order)
    photo.image.save(f"{secrets.token_hex(8)}.jpg", ContentFile(jpeg_bytes()), save=False)
    photo.thumbnail.save(
        f"{secrets.token_hex(8)}.jpg", ContentFile(jpeg_bytes((20, 15), "blue")), save=False
    )
    photo.save()
    return photo


@pytest.fixture
def streets():
    return handled_category("Streets", name_en="Street lighting", name_sv="Gatubelysning",
                            expected_response_days=14)


@pytest.fixture
def housing():
    return handled_category("Housing", name_en="Housing", name_fi="Asuminen")


@pytest.fixture
def handler(streets):
    return handler_of(streets, username="street_handler", first_name="Sanna", last_name="Katu")


@pytest.fixture
def colleague(streets):
    return handler_of(streets, username="colleague", first_name="Kalle", last_name="Kollega")


@pytest.fixture
def housing_handler(housing):
    return handler_of(housing, username="housing_handler", first_name="Heikki",
                      last_name="Koti")


@pytest.fixture
def handler_client(client, handler):
    client.force_login(handler)
    return client


@pytest.fixture
def street_case(streets):
    return FeedbackFactory(category=streets, message="Katuvalo on rikki Hallituskadulla.",
                           contact_email="asukas@example.com")


@pytest.fixture
def housing_case(housing):
    return FeedbackFactory(category=housing, message="Asunnon ovi ei sulkeudu.")
