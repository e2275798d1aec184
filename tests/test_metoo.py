""""Reported already?" and "me too": the nearby hint, double opt-in, unsubscribing,
the emails when the case closes, and the staff's view of possible duplicates."""

import json
import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from django.utils import timezone

from palaute_plugin import actions
from palaute_plugin.models import Feedback
from palaute_plugin.publication import subscriptions
from palaute_plugin.publication.models import FeedbackPublication
from palaute_plugin.publication.nearby import nearby_publications
from palaute_plugin.publication.subscriptions import LinkError, MeTooSubscription

from .factories import CategoryFactory, FeedbackFactory, feedback_page

pytestmark = pytest.mark.django_db

HERE = (65.8460, 24.1440)
#: About 100 m and 300 m north of HERE (a degree of latitude is about 111 km).
NEAR = (65.8469, 24.1440)
FAR = (65.8487, 24.1440)


@pytest.fixture
def page():
    return feedback_page()


def public_record(case, **fields):
    """A published record of ``case`` without the workflow (the views read only rows)."""
    values = {"feedback": case, "reference": case.reference, "title": f"Asia {case.reference}",
              "text": "Moderoitu teksti.", "category_id": case.category_id,
              "latitude": case.latitude, "longitude": case.longitude, "live": True,
              "first_published_at": timezone.now(), "shown_status": case.status}
    values.update(fields)
    return FeedbackPublication.objects.create(**values)


def case_at(category, point, **fields):
    return FeedbackFactory(category=category, latitude=point[0], longitude=point[1], **fields)


@pytest.fixture
def record(streets):
    return public_record(case_at(streets, NEAR))


def confirm_link(message):
    return re.search(r"https?://[^/\s]+(/\S+/mina-myos/vahvista/[^/\s]+/)", message.body).group(1)


def unsubscribe_link(message):
    return re.search(r"https?://[^/\s]+(/\S+/mina-myos/peru/[^/\s]+/)", message.body).group(1)


# --- nearby ------------------------------------------------------------------------


def test_nearby_finds_open_published_cases_of_the_category_nearest_first(streets, housing):
    near = public_record(case_at(streets, NEAR))
    nearest = public_record(case_at(streets, HERE))
    public_record(case_at(streets, FAR))
    public_record(case_at(housing, HERE))
    public_record(case_at(streets, HERE, status=Feedback.Status.RESOLVED))
    public_record(case_at(streets, HERE), live=False)
    public_record(case_at(streets, HERE),
                  first_published_at=timezone.now() - timedelta(days=181))
    found = nearby_publications(streets.pk, *HERE)
    assert [publication for _metres, publication in found] == [nearest, near]
    assert 90 < found[1][0] < 110


def test_nearby_gives_at_most_five(streets):
    for _number in range(7):
        public_record(case_at(streets, NEAR))
    assert len(nearby_publications(streets.pk, *HERE)) == 5


def test_nearby_view_answers_json(client, page, record, streets):
    response = client.get(page.url + "julkiset/lahella/",
                          {"category": streets.pk, "lat": HERE[0], "lon": HERE[1]})
    data = json.loads(response.content)
    assert response.status_code == 200 and data["count"] == 1
    assert data["message"] == "Lähellä on 1 samanlainen ilmoitus"
    item = data["results"][0]
    assert item["title"] == record.title and item["status"] == "Uusi"
    assert item["metoo_url"] == page.url + f"julkiset/{record.reference}/mina-myos/"
    assert "text" not in item and "Moderoitu" not in response.content.decode()


def test_nearby_view_gives_the_public_photo_copy_as_thumbnail(client, page, workflow, handler,
                                                              moderator, personal_case,
                                                              streets):
    from .test_publication_views import published_with_a_photo

    _photo, _publication, copy = published_with_a_photo(personal_case, handler, moderator)
    response = client.get(page.url + "julkiset/lahella/",
                          {"category": streets.pk, "lat": HERE[0], "lon": HERE[1]})
    thumbnail = json.loads(response.content)["results"][0]["thumbnail"]
    assert thumbnail == page.url + f"julkiset/kuvat/{copy.token}/thumb/"
    image = client.get(thumbnail)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"


def test_nearby_view_query_count_does_not_grow(client, page, record, streets):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    query = {"category": streets.pk, "lat": HERE[0], "lon": HERE[1]}
    client.get(page.url + "julkiset/lahella/", query)  # the site's and page's caches warm up
    with CaptureQueriesContext(connection) as one:
        client.get(page.url + "julkiset/lahella/", query)
    for _number in range(4):
        public_record(case_at(streets, NEAR))
    with CaptureQueriesContext(connection) as five:
        response = client.get(page.url + "julkiset/lahella/", query)
    assert json.loads(response.content)["count"] == 5
    assert len(five) == len(one)


@pytest.mark.parametrize("query", [{}, {"category": "x", "lat": "65", "lon": "24"},
                                   {"category": "1", "lat": "91", "lon": "24"},
                                   {"category": "1", "lat": "nan", "lon": "24"}])
def test_nearby_view_refuses_bad_input(client, page, query):
    response = client.get(page.url + "julkiset/lahella/", query)
    assert response.status_code == 400


def test_nearby_view_of_an_inactive_category_is_empty(client, page, record, streets):
    streets.active = False
    streets.save()
    response = client.get(page.url + "julkiset/lahella/",
                          {"category": streets.pk, "lat": HERE[0], "lon": HERE[1]})
    assert json.loads(response.content)["count"] == 0


def test_receipt_lists_nearby_cases_with_metoo_links(client, page, record, streets):
    own = case_at(streets, HERE, page=page)
    content = client.get(page.url + f"receipt/{own.tracking_token}/").content.decode()
    assert record.title in content
    assert f"julkiset/{record.reference}/mina-myos/" in content


def test_receipt_without_a_place_lists_nothing(client, page, record, streets):
    own = FeedbackFactory(category=streets, page=page)
    content = client.get(page.url + f"receipt/{own.tracking_token}/").content.decode()
    assert record.title not in content


def test_form_page_has_the_hint_for_javascript(client, page, streets):
    content = client.get(page.url).content.decode()
    assert 'data-nearby-hint data-url="/palaute/julkiset/lahella/"' in content
    assert 'role="status"' in content and "nearby-hint.js" in content


# --- me too: asking --------------------------------------------------------------------


def metoo_url(page, record):
    return page.url + f"julkiset/{record.reference}/mina-myos/"


def post_metoo(client, page, record, **data):
    from palaute_plugin.public import antispam

    return client.post(metoo_url(page, record), {
        "email": "naapuri@example.com", "form_token": antispam.issue_form_token(), **data})


def test_detail_page_links_to_metoo_only_while_open(client, page, record):
    detail = page.url + f"julkiset/{record.reference}/"
    assert metoo_url(page, record) in client.get(detail).content.decode()
    FeedbackPublication.objects.filter(pk=record.pk).update(shown_status="resolved")
    assert metoo_url(page, record) not in client.get(detail).content.decode()


def test_metoo_sends_a_confirmation_email_and_changes_nothing_yet(
        client, page, record, django_capture_on_commit_callbacks):
    assert client.get(metoo_url(page, record)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = post_metoo(client, page, record)
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["naapuri@example.com"]
    assert record.reference in mail.outbox[0].subject
    assert confirm_link(mail.outbox[0])
    assert not MeTooSubscription.objects.exists()
    record.refresh_from_db()
    assert record.affected_count == 1
    assert "Tarkista sähköpostisi" in client.get(response["Location"]).content.decode()


def test_confirmation_email_is_in_the_residents_language(record,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        subscriptions.request_confirmation(record, "Svensk@Example.com", language="sv",
                                           confirm_url=lambda token: f"http://x/{token}/")
    message = mail.outbox[0]
    assert message.to == ["svensk@example.com"]
    assert "Bekräfta" in message.subject and record.reference in message.subject


@pytest.mark.parametrize("email", ["", "naapuri", "naapuri@", "a" * 300 + "@example.com"])
def test_bad_email_is_refused_with_a_message(client, page, record, email):
    response = post_metoo(client, page, record, email=email)
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not mail.outbox


def test_honeypot_looks_like_success_and_sends_nothing(client, page, record):
    response = post_metoo(client, page, record, website="http://spam.example")
    assert response.status_code == 302 and not mail.outbox


def test_missing_form_token_is_refused(client, page, record):
    response = client.post(metoo_url(page, record), {"email": "naapuri@example.com"})
    assert response.status_code == 400 and not mail.outbox
    assert "Lomaketta ei voitu varmentaa" in response.content.decode()


def test_metoo_posts_are_rate_limited(client, page, record, settings):
    settings.PALAUTE_RATE_LIMIT = "1/h"
    assert post_metoo(client, page, record).status_code == 302
    response = post_metoo(client, page, record)
    assert response.status_code == 429
    assert "paljon viestejä" in response.content.decode()


def test_metoo_on_unpublished_or_unknown_case_is_404(client, page, record, streets):
    FeedbackPublication.objects.filter(pk=record.pk).update(live=False)
    assert client.get(metoo_url(page, record)).status_code == 404
    assert client.get(page.url + "julkiset/2099-99999/mina-myos/").status_code == 404


def test_metoo_on_a_closed_case_is_refused(client, page, record):
    FeedbackPublication.objects.filter(pk=record.pk).update(shown_status="resolved")
    response = post_metoo(client, page, record)
    assert response.status_code == 400 and not mail.outbox
    assert "ei ole enää avoinna" in response.content.decode()


# --- me too: confirming --------------------------------------------------------------------


def token_for(record, email="naapuri@example.com", language="fi"):
    return subscriptions.confirmation_token(record, email, language)


def confirm_url(page, token):
    return page.url + f"mina-myos/vahvista/{token}/"


def test_confirm_link_shows_a_button_then_subscribes_once(client, page, record):
    url = confirm_url(page, token_for(record))
    response = client.get(url)
    assert response.status_code == 200 and "<form method=\"post\">" in response.content.decode()
    record.refresh_from_db()
    assert record.affected_count == 1  # opening the link (a mail scanner) changes nothing
    response = client.post(url)
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.affected_count == 2
    subscription = MeTooSubscription.objects.get()
    assert subscription.email == "naapuri@example.com" and subscription.is_active
    assert "mina-myos/peru/" in response.content.decode()


def test_reused_link_changes_nothing(client, page, record):
    """Opened again while the address follows the case: it says so, with the unsubscribe
    link (it said "the link was used already"); once unsubscribed, the link is used."""
    url = confirm_url(page, token_for(record))
    client.post(url)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 200
        html = response.content.decode()
        assert "Seuraat jo" in html and "mina-myos/peru/" in html
    record.refresh_from_db()
    assert record.affected_count == 2 and MeTooSubscription.objects.count() == 1
    client.post(page.url + "mina-myos/peru/" + subscriptions.unsubscribe_token(
        MeTooSubscription.objects.get()) + "/")
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        assert "on jo käytetty" in response.content.decode()
    record.refresh_from_db()
    assert record.affected_count == 1 and MeTooSubscription.objects.count() == 1


def test_second_link_for_the_same_address_does_not_count_twice(client, page, record):
    client.post(confirm_url(page, token_for(record)))
    response = client.post(confirm_url(page, token_for(record, email="NAAPURI@example.com")))
    assert "Seuraat jo" in response.content.decode()
    record.refresh_from_db()
    assert record.affected_count == 2


def test_expired_link_changes_nothing(client, page, record):
    url = confirm_url(page, token_for(record))
    later = time.time() + 3 * 24 * 60 * 60 + 10
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.post(url)
    assert response.status_code == 400 and "vanhentunut" in response.content.decode()
    record.refresh_from_db()
    assert record.affected_count == 1 and not MeTooSubscription.objects.exists()


@pytest.mark.parametrize("token", ["abc", "x" * 60])
def test_forged_link_changes_nothing(client, page, record, token):
    response = client.post(confirm_url(page, token))
    assert response.status_code == 400 and "ei kelpaa" in response.content.decode()
    record.refresh_from_db()
    assert record.affected_count == 1


def test_link_signed_for_another_purpose_is_refused(client, page, record):
    forged = subscriptions._for_url(signing.dumps(
        {"p": record.pk, "e": "x@example.com", "l": "fi", "n": "1"},
        salt=subscriptions.UNSUBSCRIBE_SALT))
    assert client.post(confirm_url(page, forged)).status_code == 400
    assert not MeTooSubscription.objects.exists()


def test_link_of_a_case_unpublished_meanwhile_is_refused(client, page, record):
    token = token_for(record)
    FeedbackPublication.objects.filter(pk=record.pk).update(live=False)
    assert client.post(confirm_url(page, token)).status_code == 400


def test_confirm_then_unsubscribe_by_the_emailed_link(client, page, record,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_metoo(client, page, record)
    client.post(confirm_link(mail.outbox[0]))
    record.refresh_from_db()
    assert record.affected_count == 2
    subscription = MeTooSubscription.objects.get()
    url = page.url + f"mina-myos/peru/{subscriptions.unsubscribe_token(subscription)}/"
    assert "Lopeta seuraaminen" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 200
    # The count as it is now (the page showed the one read before the unsubscribing).
    assert "1 asukas" in response.content.decode()
    record.refresh_from_db()
    assert record.affected_count == 1
    assert client.post(url).status_code == 200  # again: nothing more changes
    record.refresh_from_db()
    assert record.affected_count == 1


def test_forged_unsubscribe_link_is_refused(client, page, record):
    response = client.post(page.url + "mina-myos/peru/abc/")
    assert response.status_code == 400


def test_unsubscribing_never_makes_the_count_go_below_one(record):
    subscription, _created = subscriptions.confirm(token_for(record))
    FeedbackPublication.objects.filter(pk=record.pk).update(affected_count=1)
    assert subscriptions.unsubscribe(subscription)
    record.refresh_from_db()
    assert record.affected_count == 1


def test_unsubscribed_resident_can_subscribe_again(record):
    subscription, _created = subscriptions.confirm(token_for(record))
    subscriptions.unsubscribe(subscription)
    again, created = subscriptions.confirm(token_for(record))
    record.refresh_from_db()
    assert created and again.pk == subscription.pk and record.affected_count == 2


def test_read_confirmation_reasons(record):
    token = token_for(record)
    subscriptions.confirm(token)
    with pytest.raises(LinkError) as used:
        subscriptions.read_confirmation(token)
    assert used.value.reason == "used"
    with pytest.raises(LinkError) as invalid:
        subscriptions.read_confirmation(token[:-2] + "xx")
    assert invalid.value.reason == "invalid"


# --- emails when the case closes ---------------------------------------------------------


def test_subscribers_hear_when_the_case_is_resolved_in_their_language(
        page, streets, handler, django_capture_on_commit_callbacks):
    case = case_at(streets, NEAR, contact_email="")
    record = public_record(case)
    swedish, _ = subscriptions.confirm(token_for(record, "svensk@example.com", "sv"))
    gone, _ = subscriptions.confirm(token_for(record, "gone@example.com", "fi"))
    subscriptions.unsubscribe(gone)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.resolve(case, user=handler, message="Korjattu.")
    assert [message.to for message in mail.outbox] == [["svensk@example.com"]]
    message = mail.outbox[0]
    assert message.subject == f"Ärendet {record.reference} som du följer: löst"
    assert unsubscribe_link(message) and "/mina-myos/peru/" in message.alternatives[0][0]


def test_subscribers_are_not_emailed_twice_for_a_second_closing_status(
        page, streets, handler, django_capture_on_commit_callbacks):
    case = case_at(streets, NEAR, contact_email="")
    record = public_record(case)
    subscriptions.confirm(token_for(record))
    with django_capture_on_commit_callbacks(execute=True):
        actions.take(case, user=handler)
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        actions.resolve(case, user=handler, message="Korjattu.")
    assert len(mail.outbox) == 1


# --- staff -------------------------------------------------------------------------------


def test_case_screen_lists_open_cases_nearby_of_visible_categories(handler_client, streets,
                                                                     housing):
    from .admin_fixtures import detail_url

    case = case_at(streets, HERE)
    near = case_at(streets, NEAR)
    unpublished_far = case_at(streets, FAR)
    other_team = case_at(housing, HERE)
    closed = case_at(streets, HERE, status=Feedback.Status.RESOLVED)
    public_record(near, affected_count=3)
    content = handler_client.get(detail_url(case)).content.decode()
    section = content[content.index("data-nearby-cases"):]
    section = section[:section.index("</ul>")]
    assert near.reference in section and "3 affected" in section
    for absent in (unpublished_far, other_team, closed, case):
        assert absent.reference not in section
    assert f"already_known/?earlier={near.pk}" in section


def test_already_known_form_is_prefilled_from_the_link(handler_client, streets):
    from .admin_fixtures import detail_url

    case = case_at(streets, HERE)
    near = case_at(streets, NEAR)
    response = handler_client.get(detail_url(case) + f"action/already_known/?earlier={near.pk}")
    assert response.status_code == 200
    content = response.content.decode()
    assert re.search(rf'value="{near.pk}"[^>]*checked', content)


def test_already_known_prefill_of_an_unlisted_case_fills_its_reference(handler_client,
                                                                        streets):
    from .admin_fixtures import detail_url

    case = case_at(streets, HERE)
    other = FeedbackFactory(category=CategoryFactory(handler_group=streets.handler_group))
    response = handler_client.get(detail_url(case) + f"action/already_known/?earlier={other.pk}")
    assert f'value="{other.reference}"' in response.content.decode()


def test_case_screen_shows_the_affected_count(handler_client, streets):
    from .admin_fixtures import detail_url

    case = case_at(streets, HERE)
    public_record(case, affected_count=4)
    content = handler_client.get(detail_url(case)).content.decode()
    assert "4 affected residents" in content


def test_inbox_sorts_by_affected_count(handler_client, streets):
    from django.urls import reverse

    from palaute_plugin.staff.viewsets import feedback_viewset

    few = case_at(streets, HERE)
    many = case_at(streets, NEAR)
    unpublished = case_at(streets, FAR)
    public_record(few, affected_count=2)
    public_record(many, affected_count=9)
    url = reverse(feedback_viewset.get_url_name("index"))
    content = handler_client.get(url + "?ordering=-affected_count").content.decode()
    positions = [content.index(case.reference) for case in (many, few, unpublished)]
    assert positions == sorted(positions)


# --- me too: no mail bombing -----------------------------------------------------------------


def sent_page(client, response):
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    return client.get(response["Location"]).content.decode()


def test_one_confirmation_per_case_and_address_while_the_link_works(
        client, page, record, streets, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = post_metoo(client, page, record)
    with django_capture_on_commit_callbacks(execute=True):
        again = post_metoo(client, page, record, email="NAAPURI@example.com",
                           REMOTE_ADDR="192.0.2.99")
    assert [m.to for m in mail.outbox] == [["naapuri@example.com"]]
    # The same answer whether or not an email went: nobody learns who asked before.
    assert again["Location"] == first["Location"]
    assert sent_page(client, again) == sent_page(client, first)
    assert "samasta asiasta enintään yksi linkki 3 päivän aikana" in sent_page(client, again)
    # Another case is another confirmation.
    other = public_record(case_at(streets, HERE))
    with django_capture_on_commit_callbacks(execute=True):
        post_metoo(client, page, other)
    assert len(mail.outbox) == 2


def test_the_once_per_case_marker_lasts_as_long_as_the_link(client, page, record, settings):
    from django.core.cache import cache

    settings.PALAUTE_METOO_CONFIRM_MAX_AGE_SECONDS = 7200
    with mock.patch.object(cache, "add", wraps=cache.add) as add:
        post_metoo(client, page, record)
    markers = [c for c in add.call_args_list if c.args[0].startswith("palaute:metoo-sent:")]
    assert len(markers) == 1 and markers[0].kwargs["timeout"] == 7200
    assert "naapuri" not in markers[0].args[0]  # the key names nobody


def test_one_address_gets_few_confirmations_over_all_cases(
        client, page, streets, settings, django_capture_on_commit_callbacks):
    settings.PALAUTE_METOO_EMAIL_RATE_LIMIT = "2/d"
    records = [public_record(case_at(streets, HERE)) for _ in range(3)]
    answers = []
    for number, each in enumerate(records):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_metoo(client, page, each, REMOTE_ADDR=f"192.0.2.{number + 10}")
        answers.append(sent_page(client, response).replace(each.reference, "")
                       .replace(each.title, ""))
    assert len(mail.outbox) == 2
    assert answers[2] == answers[0]
    # Another address is not held back by it.
    with django_capture_on_commit_callbacks(execute=True):
        post_metoo(client, page, records[2], email="toinen@example.com")
    assert [m.to for m in mail.outbox][-1] == ["toinen@example.com"]


def test_metoo_posts_per_client_are_limited_with_a_translated_429(client, page, record,
                                                                 settings):
    settings.PALAUTE_METOO_RATE_LIMIT = "2/h"
    for number in range(2):
        assert post_metoo(client, page, record, email=f"n{number}@example.com").status_code == 302
    response = post_metoo(client, page, record, email="n3@example.com")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert "paljon viestejä. Yritä myöhemmin uudelleen." in response.content.decode()
    # A "me too" post has no text to keep: the page does not promise one.
    assert "Tekstisi on tallessa" not in response.content.decode()
    from palaute_plugin.models import Notification

    assert sorted(Notification.objects.filter(template="metoo_confirm")
                  .values_list("recipient", flat=True)) == ["n0@example.com", "n1@example.com"]


def test_moderation_saves_keep_a_metoo_confirmed_meanwhile(record):
    """Wagtail's unpublish and publish save the whole record: one read before a "me too"
    was confirmed must not write the old count back (``COUNTED_IN_DATABASE``)."""
    stale = FeedbackPublication.objects.get(pk=record.pk)
    subscriptions.confirm(token_for(record))
    stale.unpublish()
    record.refresh_from_db()
    assert (record.live, record.affected_count) == (False, 2)
    FeedbackPublication.objects.get(pk=record.pk).save_revision().publish()  # live again
    stale = FeedbackPublication.objects.get(pk=record.pk)
    revision = stale.save_revision()
    subscriptions.confirm(token_for(record, email="toinen@example.com"))
    revision.publish()
    record.refresh_from_db()
    assert (record.live, record.affected_count) == (True, 3)
    # A plain save of the stale object neither; other fields are saved as before.
    stale.title = "Uusi otsikko"
    stale.save()
    record.refresh_from_db()
    assert (record.title, record.affected_count) == ("Uusi otsikko", 3)


def aged_token(seconds):
    import time

    from django.core import signing

    from palaute_plugin.public import antispam

    return signing.dumps({"n": "a" * 32, "t": int(time.time()) - seconds},
                         salt=antispam.TOKEN_SALT)


def test_an_address_filled_in_by_the_browser_is_not_sent_too_quickly(
        client, page, record, settings):
    """One email field, filled in by the browser and sent within 3 seconds, was refused as
    "sent too quickly" (acceptance test, 2026-12-03); the wait is one second here."""
    settings.PALAUTE_MIN_SUBMIT_SECONDS = 3
    response = post_metoo(client, page, record, form_token=aged_token(2))
    assert response.status_code == 302
    refused = post_metoo(client, page, record, form_token=aged_token(0))
    assert refused.status_code == 400
    assert "Lomake lähetettiin liian nopeasti" in refused.content.decode()
