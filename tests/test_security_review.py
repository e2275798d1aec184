"""Probes of the security and correctness review: each test here failed before its fix."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import TestCase
from wagtail.models import ModelLogEntry

from palaute_plugin import log_actions
from tests.factories import CategoryFactory, FeedbackFactory, UserFactory, feedback_page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page():
    return feedback_page()


# --- a resident's replayed follow-up ----------------------------------------------


def follow_up_entries(feedback):
    return ModelLogEntry.objects.for_instance(feedback).filter(action=log_actions.FOLLOW_UP)


def test_a_replayed_follow_up_is_saved_and_emailed_once(page, client):
    """A double click or a re-sent post of the status page's form adds the text once."""
    assignee = UserFactory(email="kasittelija@tornio.example")
    feedback = FeedbackFactory(page=page, category=CategoryFactory(), assignee=assignee)
    path = f"/palaute/status/{feedback.tracking_token}/"
    html = client.get(path).content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', html).group(1)
    data = {"message": "Lamppu vilkkuu nyt myös iltaisin.", "submission_key": key}
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = client.post(path, data)
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = client.post(path, data)
    assert first.status_code == 302
    assert again.status_code == 302
    assert follow_up_entries(feedback).count() == 1
    assert [message.to for message in mail.outbox] == [["kasittelija@tornio.example"]]


def test_a_forged_follow_up_key_still_saves_the_text(page, client):
    feedback = FeedbackFactory(page=page, category=CategoryFactory())
    path = f"/palaute/status/{feedback.tracking_token}/"
    response = client.post(path, {"message": "Lisätieto ilman avainta.",
                                  "submission_key": "forged"})
    assert response.status_code == 302
    assert follow_up_entries(feedback).count() == 1


def test_two_follow_ups_with_their_own_keys_are_both_saved(page, client):
    feedback = FeedbackFactory(page=page, category=CategoryFactory())
    path = f"/palaute/status/{feedback.tracking_token}/"
    for text in ("Ensimmäinen lisätieto.", "Toinen lisätieto."):
        html = client.get(path).content.decode()
        key = re.search(r'name="submission_key" value="([^"]+)"', html).group(1)
        assert client.post(path, {"message": text, "submission_key": key}).status_code == 302
    assert follow_up_entries(feedback).count() == 2


# --- the retry middleware and a write whose answer was lost -------------------------


@pytest.mark.django_db(transaction=True)
def test_a_write_that_failed_on_a_lost_connection_is_not_run_again():
    """The server may have committed an autocommit write whose answer was lost: running
    the view again could write (and email) twice."""
    from django.db import OperationalError, connection

    from palaute_plugin.models import FeedbackCategory
    from tests.test_lost_connection_retry import serve

    def lost_after_commit(execute, sql, params, many, context):
        execute(sql, params, many, context)
        raise OperationalError("server closed the connection unexpectedly")

    calls = []

    def view(request):
        calls.append(request)
        with connection.execute_wrapper(lost_after_commit):
            FeedbackCategory.objects.filter(pk=-1).update(sort_order=1)

    with pytest.raises(OperationalError):
        serve(view, "post")
    assert len(calls) == 1


# --- "me too" addresses in residents' data requests -----------------------------------


def test_a_data_request_finds_exports_and_erases_me_too_subscriptions(client, streets):
    """The "me too" subscriptions hold residents' addresses: a data request must reach them."""
    import json

    from django.utils import timezone

    from palaute_plugin.publication import subscriptions
    from palaute_plugin.publication.models import FeedbackPublication
    from palaute_plugin.publication.subscriptions import MeTooSubscription
    from tests.test_data_rights import DATA_URL, admin_user, grant, reverse

    case = FeedbackFactory(category=streets)
    publication = FeedbackPublication.objects.create(
        feedback=case, reference=case.reference, title="Katuvalo", text="Valo rikki.",
        category=streets, live=True, first_published_at=timezone.now(),
        shown_status=case.status)
    token = subscriptions.confirmation_token(publication, "Tilaaja@Example.com", "fi")
    subscriptions.confirm(token)
    other = MeTooSubscription.objects.create(publication=publication, email="muu@example.com",
                                             confirm_nonce="muu")
    client.force_login(grant(admin_user(username="tietosuoja"), "handle_data_requests"))

    exported = json.loads(client.post(reverse(DATA_URL), {
        "email": "tilaaja@example.com", "export": "1"}).content)
    assert [record["case"] for record in exported["me_too_subscriptions"]] == [case.reference]
    assert exported["me_too_subscriptions"][0]["email"] == "tilaaja@example.com"

    response = client.post(reverse(DATA_URL), {"email": "TILAAJA@example.com", "erase": "1",
                                               "confirm": "1"}, follow=True)
    assert "1 other record (such as a subscription) was erased." in response.content.decode()
    assert list(MeTooSubscription.objects.all()) == [other]
    publication.refresh_from_db()
    assert publication.affected_count == 1  # the reporter; the erased follower no longer


# --- erasure reaches answers awaiting approval ------------------------------------------


def test_erasing_a_case_anonymises_its_answers_and_their_revisions(approval_category, handler):
    """An answer held for approval quotes the resident; erasure must not leave it behind."""
    from wagtail.models import Revision

    from palaute_plugin.answers.models import AnswerDraft
    from palaute_plugin.insights import retention
    from tests.answer_fixtures import submitted

    case = FeedbackFactory(category=approval_category, contact_name="Maija Meikäläinen",
                           message="Maija Meikäläinen: valo rikki.")
    answer = submitted(case, handler, text="Hei Maija Meikäläinen, korjaamme valon.")
    assert retention.erase_personal_data(case.pk, reason=retention.REQUEST)
    assert "Meikäläinen" not in AnswerDraft.objects.get(pk=answer.pk).text
    revisions = Revision.objects.for_instance(answer)
    assert revisions.exists()
    assert all("Meikäläinen" not in revision.content["text"] for revision in revisions)


# --- the duplicate hint is rate limited like the address suggestions -----------------


def test_the_nearby_hint_is_rate_limited_per_client(client, page, streets, settings):
    settings.PALAUTE_SUGGEST_RATE_LIMIT = "2/m"
    url = f"/palaute/julkiset/lahella/?category={streets.pk}&lat=65.846&lon=24.144"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(url).json()["count"] == 0


# --- free-form form submissions in residents' data requests ------------------------------


def test_a_data_request_finds_exports_and_erases_free_form_submissions(client):
    """A free-form form keeps what the resident typed (name, address, phone) in its own
    submissions: the data request must reach them, not only the cases made of them."""
    import json

    from wagtail.contrib.forms.models import FormSubmission

    from tests.legacy_fixtures import legacy_form, submission_of
    from tests.test_data_rights import DATA_URL, admin_user, grant, reverse

    page = legacy_form()
    theirs = submission_of(page, sahkoposti="Liisa@Example.com")
    submission_of(page, sahkoposti="liisa@example.com.evil", nimi="Joku Muu")
    other = submission_of(page, sahkoposti="muu@example.com", nimi="Muu Asukas")
    client.force_login(grant(admin_user(username="tietosuoja"), "handle_data_requests"))

    exported = json.loads(client.post(reverse(DATA_URL), {
        "email": "liisa@example.com", "export": "1"}).content)
    assert [record["answers"]["nimi"] for record in exported["form_submissions"]] == [
        "Liisa Lukija"]
    assert exported["form_submissions"][0]["form"] == page.title

    response = client.post(reverse(DATA_URL), {"email": "liisa@example.com", "erase": "1",
                                               "confirm": "1"}, follow=True)
    assert "1 other record (such as a subscription) was erased." in response.content.decode()
    remaining = set(FormSubmission.objects.values_list("pk", flat=True))
    assert theirs.pk not in remaining
    assert other.pk in remaining
    assert len(remaining) == 2


def test_a_free_form_submission_whose_case_is_on_legal_hold_stays(streets):
    from wagtail.contrib.forms.models import FormSubmission

    from palaute_plugin.insights.models import LegalHold
    from palaute_plugin.legacy.personal_data import FormSubmissionPersonalData
    from tests.legacy_fixtures import legacy_form, submission_of

    page = legacy_form()
    held = submission_of(page)
    free = submission_of(page, viesti="Toinen asia.")
    LegalHold.objects.create(feedback=FeedbackFactory(category=streets, legacy_submission=held),
                             reason="Valitus")
    assert FormSubmissionPersonalData().erase("liisa@example.com", "", user=None) == 1
    assert list(FormSubmission.objects.values_list("pk", flat=True)) == [held.pk]
    assert free.pk != held.pk


# --- "me too" addresses are kept no longer than the cases' own ---------------------------


def test_retention_removes_me_too_addresses_of_long_closed_cases(streets):
    from django.utils import timezone

    from palaute_plugin.insights import retention
    from palaute_plugin.insights.models import LegalHold
    from palaute_plugin.publication.models import FeedbackPublication
    from palaute_plugin.publication.subscriptions import MeTooSubscription
    from tests.test_retention import closed_case

    def followed(case, email):
        publication = FeedbackPublication.objects.create(
            feedback=case, reference=case.reference, title="Katuvalo", text="Valo rikki.",
            category=streets, live=True, first_published_at=timezone.now(),
            shown_status=case.status, affected_count=2)
        return MeTooSubscription.objects.create(publication=publication, email=email,
                                                confirm_nonce=email)

    followed(closed_case(streets, 40), "vanha@example.com")
    recent = followed(closed_case(streets, 1), "tuore@example.com")
    still_open = followed(FeedbackFactory(category=streets), "auki@example.com")
    held_case = closed_case(streets, 40)
    held = followed(held_case, "pidossa@example.com")
    LegalHold.objects.create(feedback=held_case, reason="Valitus")

    retention.apply()
    assert set(MeTooSubscription.objects.all()) == {recent, still_open, held}
    # The count of affected residents is a figure of the case, not an address: it stays.
    assert FeedbackPublication.objects.get(reference=held_case.reference).affected_count == 2
