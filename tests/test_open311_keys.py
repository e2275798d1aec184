"""API keys in the Wagtail admin: shown once, stored hashed, revocable, administrators only."""

import pytest
from django.urls import reverse

from palaute_plugin.open311.models import ApiKey, ServiceAttribute, hash_key

from .admin_fixtures import assert_sent_to_login, in_english
from .open311_fixtures import new_key

pytestmark = pytest.mark.django_db

KEYS = "palaute_open311_keys"


@pytest.fixture
def admin_client(client, admin_user):
    """An administrator who reads the admin in English (our msgids)."""
    client.force_login(in_english(admin_user))
    return client


def create(admin_client, **fields):
    data = {"name": "Kaupunkisovellus", "channel_label": "mobiili", "rate_limit": "60/h",
            **fields}
    return admin_client.post(reverse(f"{KEYS}:add"), data)


def test_creating_a_key_shows_it_once_and_stores_its_hash(admin_client):
    response = create(admin_client)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store")
    key = ApiKey.objects.get()
    secret = response.context["new_key"]
    assert len(secret) >= 40
    assert secret in response.content.decode()
    assert key.key_hash == hash_key(secret)
    assert secret not in key.key_hash
    assert key.prefix == secret[:8]
    assert ApiKey.for_key(secret) == key
    listing = admin_client.get(reverse(f"{KEYS}:index")).content.decode()
    assert "Kaupunkisovellus" in listing
    assert secret not in listing
    edit = admin_client.get(reverse(f"{KEYS}:edit", args=[key.pk])).content.decode()
    assert secret not in edit


def test_bad_rate_limit_is_refused(admin_client):
    response = create(admin_client, rate_limit="lots")
    assert response.status_code == 200
    assert "count/period" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_a_revoked_key_is_refused_and_can_be_restored(admin_client):
    key, secret = new_key()
    data = {"name": key.name, "channel_label": "", "rate_limit": "60/h", "revoked": "on"}
    response = admin_client.post(reverse(f"{KEYS}:edit", args=[key.pk]), data)
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.is_revoked
    assert ApiKey.for_key(secret) is None
    data.pop("revoked")
    admin_client.post(reverse(f"{KEYS}:edit", args=[key.pk]), data)
    assert ApiKey.for_key(secret) == key


def test_staff_without_the_permission_cannot_see_keys(client, handler):
    new_key()
    client.force_login(handler)
    response = client.get(reverse(f"{KEYS}:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert client.post(reverse(f"{KEYS}:add"), {"name": "x", "rate_limit": "1/h"}
                       ).status_code == 302
    assert ApiKey.objects.count() == 1


def test_anonymous_is_sent_to_login(client):
    assert_sent_to_login(client.get(reverse(f"{KEYS}:index")))


def test_attributes_are_snippets(admin_client, streets):
    url = reverse("wagtailsnippets_palaute_plugin_serviceattribute:add")
    response = admin_client.post(url, {
        "category": streets.pk, "code": "dangerous", "datatype": "singlevaluelist",
        "description_fi": "Onko vaarallinen?", "values": "", "sort_order": 0})
    assert response.status_code == 200
    assert "A list needs at least one choice." in response.content.decode()
    admin_client.post(url, {
        "category": streets.pk, "code": "dangerous", "datatype": "singlevaluelist",
        "description_fi": "Onko vaarallinen?", "values": "yes=Kyllä\nno=Ei", "sort_order": 0})
    assert ServiceAttribute.objects.get().value_pairs() == [("yes", "Kyllä"), ("no", "Ei")]
