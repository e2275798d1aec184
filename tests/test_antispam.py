"""Anti-spam and rate limits of the public forms: proxies, NAT, floods, replays, honeypot."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.test import Client, TestCase
from wagtail.models import Locale

from palaute_plugin.conf import palaute_setting
from palaute_plugin.models import Feedback, Notification
from palaute_plugin.proxies import client_address
from palaute_plugin.public import antispam
from tests.factories import CategoryFactory, FeedbackFactory, UserFactory, feedback_page

pytestmark = pytest.mark.django_db

TEXT = "Katuvalo ei pala Hallituskadulla, numero 12."


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page():
    return feedback_page()


@pytest.fixture
def category():
    return CategoryFactory()


def form_data(category, **overrides):
    return {"kind": "feedback", "category": str(category.pk), "message": TEXT, "website": "",
            "form_token": antispam.issue_form_token(), **overrides}


def post(client, data, **extra):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/palaute/", data, **extra)


# --- the client's address -------------------------------------------------------


@pytest.mark.parametrize(("proxies", "forwarded", "expected"), [
    (0, "6.6.6.6", "10.0.0.1"),                      # no proxy: the header is ignored
    (1, "81.22.33.44", "81.22.33.44"),               # nginx appended the client
    (1, "6.6.6.6, 81.22.33.44", "81.22.33.44"),      # a spoofed entry on the left is ignored
    (2, "6.6.6.6, 81.22.33.44, 10.0.0.5", "81.22.33.44"),  # load balancer + nginx
    (2, "81.22.33.44", "10.0.0.1"),                  # fewer hops than proxies: not trusted
    (1, "", "10.0.0.1"),
])
def test_client_address_behind_trusted_proxies(rf, settings, proxies, forwarded, expected):
    settings.PALAUTE_TRUSTED_PROXY_COUNT = proxies
    request = rf.post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


@pytest.mark.parametrize(("remote", "expected"), [
    ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"),  # one /64, one client
    ("2001:db8:1:2::1", "2001:db8:1:2::"),
    ("2001:db8:1:3::1", "2001:db8:1:3::"),                    # the next /64 is another
    ("::ffff:81.22.33.44", "81.22.33.44"),                    # IPv4 written as IPv6
    ("81.22.33.44", "81.22.33.44"),
])
def test_an_ipv6_client_is_known_by_its_64_network(rf, settings, remote, expected):
    """A client with an IPv6 /64 had 2**64 addresses, each with its own rate limit and
    login tries (acceptance test, 2026-12-03)."""
    settings.PALAUTE_TRUSTED_PROXY_COUNT = 1
    assert client_address(rf.post("/", REMOTE_ADDR="10.0.0.1",
                                  HTTP_X_FORWARDED_FOR=remote)) == expected
    settings.PALAUTE_TRUSTED_PROXY_COUNT = 0
    assert client_address(rf.post("/", REMOTE_ADDR=remote)) == expected


def test_addresses_of_one_ipv6_64_share_the_form_limit(settings, page, category):
    settings.PALAUTE_TRUSTED_PROXY_COUNT = 0
    settings.PALAUTE_RATE_LIMIT = "2/h"
    statuses = [post(Client(), form_data(category, message=f"Roskaviesti numero {n}."),
                     REMOTE_ADDR=f"2001:db8:1:2::{n}").status_code for n in range(1, 4)]
    assert statuses == [302, 302, 429]
    other = post(Client(), form_data(category), REMOTE_ADDR="2001:db8:1:3::1")
    assert other.status_code == 302


# --- the per-client limit ---------------------------------------------------------


def test_behind_a_proxy_one_client_at_the_limit_does_not_block_others(settings, page,
                                                                      category):
    settings.PALAUTE_TRUSTED_PROXY_COUNT = 1
    settings.PALAUTE_RATE_LIMIT = "2/h"
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    attacker = Client()
    for n in range(2):
        post(attacker, form_data(category, message=f"Roskaviesti numero {n}."),
             HTTP_X_FORWARDED_FOR="81.1.1.1", **proxy)
    refused = post(attacker, form_data(category), HTTP_X_FORWARDED_FOR="81.1.1.1", **proxy)
    assert refused.status_code == 429
    # When to try again: the rest of the hour the limit counts in (a fixed window).
    assert 1 <= int(refused["Retry-After"]) <= 3600

    resident = post(Client(), form_data(category), HTTP_X_FORWARDED_FOR="81.2.2.2", **proxy)
    assert resident.status_code == 302
    assert Feedback.objects.count() == 3


def test_spoofed_forwarded_for_does_not_escape_the_limit(settings, page, category):
    settings.PALAUTE_TRUSTED_PROXY_COUNT = 1
    settings.PALAUTE_RATE_LIMIT = "1/h"
    client = Client()
    post(client, form_data(category), HTTP_X_FORWARDED_FOR="9.9.9.1, 81.1.1.1")
    response = post(client, form_data(category), HTTP_X_FORWARDED_FOR="9.9.9.2, 81.1.1.1")
    assert response.status_code == 429
    assert Feedback.objects.count() == 1


def test_invalid_posts_are_not_counted(settings, page, category, client):
    settings.PALAUTE_RATE_LIMIT = "2/h"
    for _ in range(5):
        assert post(client, form_data(category, message="lyhyt")).status_code == 400
    assert post(client, form_data(category)).status_code == 302


def test_the_limit_page_keeps_the_text_and_gives_the_phone_number(settings, page, category,
                                                                   client):
    settings.PALAUTE_RATE_LIMIT = "1/h"
    settings.PALAUTE_CONTACT_PHONE = "016 432 11"
    post(client, form_data(category))
    response = post(client, form_data(category, message="Toinen viesti <b>tärkeä</b> asia"))
    html = response.content.decode()
    assert response.status_code == 429
    assert 'class="error-summary"' in html
    assert "Toinen viesti &lt;b&gt;tärkeä&lt;/b&gt; asia" in html  # kept, escaped
    assert "016 432 11" in html
    assert 'name="form_token"' in html
    assert Feedback.objects.count() == 1


def test_the_limit_page_is_in_swedish_on_the_swedish_page(settings, page, category, client):
    locale = Locale.objects.get_or_create(language_code="sv")[0]
    page.get_parent().specific.copy_for_translation(locale).save_revision().publish()
    page.copy_for_translation(locale).save_revision().publish()
    settings.PALAUTE_RATE_LIMIT = "1/h"
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post("/sv/palaute/", form_data(category))
        response = client.post("/sv/palaute/", form_data(category))
    assert response.status_code == 429
    assert "Vi har fått många meddelanden" in response.content.decode()


# --- the site-wide circuit breaker ----------------------------------------------


def test_a_flood_alerts_the_administrators_once_then_pauses_the_form(settings, page,
                                                                    category):
    settings.PALAUTE_SITE_ALERT_COUNT = 2
    settings.PALAUTE_SITE_RATE_LIMIT = "4/h"
    admins = Group.objects.create(name=palaute_setting("ADMIN_GROUP_NAME"))
    admin = UserFactory(email="paakayttaja@tornio.example")
    admin.groups.add(admins)

    statuses = [post(Client(REMOTE_ADDR=f"81.0.0.{n}"), form_data(category)).status_code
                for n in range(6)]

    assert statuses == [302, 302, 302, 302, 429, 429]
    alerts = Notification.objects.filter(template="flood_alert")
    assert list(alerts.values_list("recipient", flat=True)) == ["paakayttaja@tornio.example"]
    assert [m.to for m in mail.outbox if m.subject.startswith("Poikkeuksellisen")] == [
        ["paakayttaja@tornio.example"]]


def test_configured_alert_addresses_are_used(settings, page, category):
    settings.PALAUTE_SITE_ALERT_COUNT = 1
    settings.PALAUTE_ALERT_EMAILS = ["valvomo@tornio.example"]
    for n in range(3):
        post(Client(REMOTE_ADDR=f"81.0.0.{n}"), form_data(category))
    alerts = Notification.objects.filter(template="flood_alert")
    assert list(alerts.values_list("recipient", flat=True)) == ["valvomo@tornio.example"]


# --- replays and the honeypot ---------------------------------------------------


def test_a_replayed_token_reveals_the_receipt_only_to_the_same_browser(page, category):
    data = form_data(category, contact_email="maija@example.com")
    resident = Client()
    first = post(resident, data)
    assert first.status_code == 302

    attacker = post(Client(), {**data, "contact_email": "hyokkaaja@example.com"})
    html = attacker.content.decode()
    feedback = Feedback.objects.get()
    assert attacker.status_code == 400
    assert feedback.tracking_token not in html and feedback.reference not in html
    assert "maija@example.com" not in html

    again = post(resident, data)  # the resident's own double click or back-and-resend
    assert again["Location"] == first["Location"]
    assert Feedback.objects.count() == 1


def test_honeypot_answer_looks_like_a_real_submission(page, category, client):
    real = post(client, form_data(category))
    bot = post(Client(), form_data(category, website="http://spam.example"))
    assert (bot.status_code, real.status_code) == (302, 302)
    assert bot["Location"].rsplit("/", 2)[0] == real["Location"].rsplit("/", 2)[0]
    decoy_page = Client().get(bot["Location"])
    assert decoy_page.status_code == 200
    assert decoy_page["Referrer-Policy"] == "same-origin"
    assert Feedback.objects.count() == 1


def test_an_unknown_receipt_token_is_not_found(page, client):
    assert client.get("/palaute/receipt/not-a-real-token/").status_code == 404


# --- the status page's follow-up --------------------------------------------------


def test_status_follow_up_is_limited_and_keeps_the_text(settings, page, client):
    settings.PALAUTE_RATE_LIMIT = "1/h"
    feedback = FeedbackFactory(page=page)
    path = f"/palaute/status/{feedback.tracking_token}/"
    assert post_to(client, path, "Ensimmäinen lisätieto asiaan.").status_code == 302
    response = post_to(client, path, "Toinen lisätieto asiaan.")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert "Toinen lisätieto asiaan." in response.content.decode()


def post_to(client, path, message):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(path, {"message": message})


def test_a_reopened_rejected_case_never_shows_the_rejection(page, category, client):
    from palaute_plugin import actions  # noqa: PLC0415

    admin = UserFactory(is_superuser=True)
    feedback = FeedbackFactory(page=page, category=category)
    actions.reject(feedback, user=admin, reason="Näytti roskapostilta")
    actions.reopen(feedback, user=admin)

    html = client.get(f"/palaute/status/{feedback.tracking_token}/").content.decode()
    assert "hylätty" not in html.lower()
    assert "roskapostilta" not in html
    assert "Tila muuttui: käsittelyssä" in html


def test_concurrent_posts_cannot_all_slip_under_the_limit(rf, settings):
    from palaute_plugin.public import ratelimit  # noqa: PLC0415

    settings.PALAUTE_RATE_LIMIT = "3/h"
    requests = [rf.post("/", REMOTE_ADDR="81.5.5.5") for _ in range(5)]
    # All five passed the early check before any was saved: counting decides.
    assert [ratelimit.limited(request) for request in requests] == [False] * 5
    assert [ratelimit.take(request) for request in requests] == [True, True, True, False, False]


def test_a_client_over_its_limit_does_not_count_towards_the_site(rf, settings):
    from palaute_plugin.public import ratelimit  # noqa: PLC0415

    settings.PALAUTE_RATE_LIMIT = "1/h"
    settings.PALAUTE_SITE_RATE_LIMIT = "3/h"
    for _ in range(10):
        ratelimit.take(rf.post("/", REMOTE_ADDR="81.6.6.6"))
    assert ratelimit.take(rf.post("/", REMOTE_ADDR="81.7.7.7"))
    assert ratelimit.take(rf.post("/", REMOTE_ADDR="81.8.8.8"))
