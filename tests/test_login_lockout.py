"""Brute force on the admin login: django-axes locks a username+address pair; admins unlock."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


@pytest.fixture
def staff():
    user = UserFactory(username="kasittelija", is_staff=True)
    user.set_password("oikea-salasana-123")
    user.save()
    from django.contrib.auth.models import Permission  # noqa: PLC0415

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def attempt(client, password, address="81.1.1.1"):
    return client.post(LOGIN, {"username": "kasittelija", "password": password},
                       REMOTE_ADDR=address)


def test_five_failures_lock_the_pair_with_a_translated_page(staff):
    client = Client()
    for _ in range(4):
        assert attempt(client, "väärä").status_code == 200  # the login form again
    assert attempt(client, "väärä").status_code == 429  # the fifth failure locks
    locked = attempt(client, "oikea-salasana-123")  # even the right password now
    html = locked.content.decode()
    assert locked.status_code == 429
    assert "Kirjautuminen on lukittu hetkeksi" in html
    assert "_auth_user_id" not in client.session


def test_the_lockout_does_not_reach_the_same_user_from_another_address(staff):
    for _ in range(5):
        attempt(Client(), "väärä", address="81.1.1.1")
    response = attempt(Client(), "oikea-salasana-123", address="81.9.9.9")
    assert response.status_code == 302


def test_lockout_uses_the_trusted_proxy_rule(staff, settings):
    settings.PALAUTE_TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        Client().post(LOGIN, {"username": "kasittelija", "password": "väärä"},
                      REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 81.1.1.1")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["81.1.1.1"]
    other = Client().post(LOGIN, {"username": "kasittelija", "password": "oikea-salasana-123"},
                          REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="81.2.2.2")
    assert other.status_code == 302  # another resident behind the same proxy


def test_addresses_of_one_ipv6_64_share_one_lockout(staff):
    """Each address of a /64 had its own five tries: 2**64 of them (acceptance test)."""
    for n in range(1, 6):
        attempt(Client(), "väärä", address=f"2001:db8:1:2::{n}")
    assert attempt(Client(), "oikea-salasana-123", address="2001:db8:1:2::99").status_code \
        == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [
        "2001:db8:1:2::"]
    assert attempt(Client(), "oikea-salasana-123", address="2001:db8:1:3::1").status_code \
        == 302


def test_an_administrator_lifts_a_lockout_in_the_admin(staff):
    for _ in range(5):
        attempt(Client(), "väärä")
    admin = UserFactory(username="paakayttaja", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    lockout = AccessAttempt.objects.get()

    listing = client.get("/admin/login_lockouts/")
    assert listing.status_code == 200 and "kasittelija" in listing.content.decode()
    assert client.post(f"/admin/login_lockouts/delete/{lockout.pk}/").status_code == 302
    assert not AccessAttempt.objects.exists()
    assert attempt(Client(), "oikea-salasana-123").status_code == 302


def test_a_handler_cannot_see_or_lift_lockouts(staff):
    for _ in range(5):
        attempt(Client(), "väärä", address="81.3.3.3")
    client = Client()
    client.force_login(staff)
    lockout = AccessAttempt.objects.get()
    listing = client.get("/admin/login_lockouts/")
    assert (listing.status_code, listing["Location"]) == (302, "/admin/")  # permission denied
    lift = client.post(f"/admin/login_lockouts/delete/{lockout.pk}/")
    assert (lift.status_code, lift["Location"]) == (302, "/admin/")
    assert AccessAttempt.objects.filter(pk=lockout.pk).exists()
