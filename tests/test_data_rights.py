"""Legal hold and residents' data requests (insights/views.py, insights/data_requests.py):
who may use them, what they find, export and erase, and what they log."""

import html
import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import quote, quote_plus

import pytest
from django.contrib.auth.models import Permission
from django.test import Client, TestCase
from django.urls import reverse
from wagtail import hooks
from wagtail.models import ModelLogEntry

from palaute_plugin.insights import data_requests
from palaute_plugin.insights.log_actions import (
    LEGAL_HOLD_LIFTED,
    LEGAL_HOLD_SET,
    PERSONAL_DATA_REMOVED,
)
from palaute_plugin.insights.models import LegalHold
from palaute_plugin.models import Feedback

from .admin_fixtures import add_photo, admin_user, detail_url
from .factories import FeedbackFactory, feedback_page

pytestmark = pytest.mark.django_db

DATA_URL = "palaute_data_requests"


def grant(user, codename):
    user.user_permissions.add(Permission.objects.get(codename=codename,
                                                     content_type__app_label="palaute_plugin"))
    return user


def find(client, **fields):
    """The search, as the "Find" button sends it: a POST, the address in the body."""
    return client.post(reverse(DATA_URL), {"find": "1", **fields})


def hold_url(case):
    return reverse("palaute_legal_hold", args=[case.pk])


@pytest.fixture
def officer(client):
    user = grant(admin_user(username="tietosuoja"), "handle_data_requests")
    client.force_login(user)
    return client


@pytest.fixture
def resident_cases(streets, housing):
    return [
        FeedbackFactory(category=streets, contact_email="Maija@Example.com",
                        contact_name="Maija Meikäläinen", message="Maija Meikäläinen: valo rikki"),
        FeedbackFactory(category=housing, contact_email="", contact_phone="+358 40 123 4567"),
        FeedbackFactory(category=housing, contact_email="joku@example.com"),
    ]


# --- legal hold ---------------------------------------------------------------------


def refused(response):
    """Wagtail answers a PermissionDenied in the admin with a redirect to the dashboard."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def test_handler_without_the_permission_may_not_set_a_hold(handler_client, street_case):
    assert refused(handler_client.get(hold_url(street_case)))
    response = handler_client.post(hold_url(street_case), {"reason": "Valitus", "intent": "set"})
    assert refused(response)
    assert not LegalHold.objects.exists()


def test_another_categorys_case_is_not_found(handler_client, handler, housing_case):
    grant(handler, "set_legal_hold")
    assert handler_client.get(hold_url(housing_case)).status_code == 404


def test_anonymous_is_sent_to_the_login(client, street_case):
    response = client.get(hold_url(street_case))
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_set_and_lift_a_hold_with_a_reason_logged(handler_client, handler, street_case):
    assert legal_hold_rows(handler_client.get(detail_url(street_case))) == []
    grant(handler, "set_legal_hold")
    # In the status side panel and in its copy for browsers without JavaScript.
    assert len(legal_hold_rows(handler_client.get(detail_url(street_case)))) == 2
    response = handler_client.post(hold_url(street_case), {"reason": "", "intent": "set"})
    assert response.status_code == 200
    assert "Write the reason" in response.content.decode()
    assert not LegalHold.objects.exists()
    response = handler_client.post(hold_url(street_case), {"reason": "Oikaisuvaatimus <b>",
                                                          "intent": "set"})
    assert response.status_code == 302
    hold = LegalHold.objects.get(feedback=street_case)
    assert hold.reason == "Oikaisuvaatimus <b>" and hold.set_by == handler
    page = handler_client.get(hold_url(street_case)).content.decode()
    assert "Oikaisuvaatimus &lt;b&gt;" in page
    assert ModelLogEntry.objects.get(action=LEGAL_HOLD_SET).data["reason"] == hold.reason
    handler_client.post(hold_url(street_case), {"reason": "Päätös lainvoimainen",
                                                "intent": "lift"})
    assert not LegalHold.objects.exists()
    assert ModelLogEntry.objects.filter(action=LEGAL_HOLD_LIFTED).count() == 1


def test_a_stale_form_never_does_the_opposite_of_its_button(handler_client, handler,
                                                             street_case):
    """Two people open the page while the case has no hold; both press "Put on legal
    hold": the second finds it on hold and nothing changes (it lifted the hold before).
    Likewise two lifts. A post without the button's intent changes nothing either."""
    grant(handler, "set_legal_hold")
    assert 'name="intent" value="set"' in handler_client.get(hold_url(street_case)).content.decode()
    handler_client.post(hold_url(street_case), {"reason": "Valitus", "intent": "set"})
    response = handler_client.post(hold_url(street_case), {"reason": "Valitus 2",
                                                           "intent": "set"}, follow=True)
    assert "was already on legal hold (someone set it meanwhile): nothing changed" in \
        response.content.decode()
    assert LegalHold.objects.get(feedback=street_case).reason == "Valitus"
    assert 'name="intent" value="lift"' in handler_client.get(hold_url(street_case)).content.decode()
    handler_client.post(hold_url(street_case), {"reason": "", "intent": "lift"})
    response = handler_client.post(hold_url(street_case), {"reason": "", "intent": "lift"},
                                   follow=True)
    assert "was not on legal hold (someone lifted it meanwhile): nothing changed" in \
        response.content.decode()
    assert not LegalHold.objects.exists()
    response = handler_client.post(hold_url(street_case), {"reason": "Valitus"})
    assert "The form was out of date" in response.content.decode()
    assert not LegalHold.objects.exists()
    assert ModelLogEntry.objects.filter(action=LEGAL_HOLD_SET).count() == 1
    assert ModelLogEntry.objects.filter(action=LEGAL_HOLD_LIFTED).count() == 1


def legal_hold_rows(response):
    """The "Legal hold" facts of the case screen: the side panel's and its copy for
    browsers without JavaScript."""
    return re.findall(r'<dd class="palaute-case__legal-hold">(.*?)</dd>',
                      response.content.decode(), re.S)


def test_the_case_screen_says_when_there_is_no_legal_hold(handler_client, handler,
                                                          street_case):
    grant(handler, "set_legal_hold")
    rows = legal_hold_rows(handler_client.get(detail_url(street_case)))
    assert len(rows) == 2
    for row in rows:
        assert "None" in row and "In force" not in row
        assert f'href="{hold_url(street_case)}"' in row
        assert "Put on legal hold" in row


def test_the_case_screen_shows_a_hold_in_force_with_its_reason_setter_and_time(
        handler_client, handler, street_case):
    grant(handler, "set_legal_hold")
    set_at = datetime(2026, 3, 4, 10, 15, tzinfo=UTC)
    LegalHold.objects.create(feedback=street_case, reason="Oikaisuvaatimus <b>",
                             set_by=handler, set_at=set_at)
    rows = legal_hold_rows(handler_client.get(detail_url(street_case)))
    assert len(rows) == 2
    for row in rows:
        assert "In force" in row and "None" not in row
        assert "Oikaisuvaatimus &lt;b&gt;" in row
        # In Helsinki time, in the English admin's short format.
        assert "Set by Sanna Katu on 03/04/2026 12:15 p.m." in " ".join(row.split())
        assert f'href="{hold_url(street_case)}"' in row
        assert "Lift the legal hold" in row


def test_a_hold_whose_setter_is_gone_still_shows_when_it_was_set(handler_client, handler,
                                                                 street_case):
    grant(handler, "set_legal_hold")
    former = admin_user(username="entinen")
    LegalHold.objects.create(feedback=street_case, reason="Asiakirjapyyntö", set_by=former,
                             set_at=datetime(2026, 3, 4, 10, 15, tzinfo=UTC))
    former.delete()
    row = " ".join(legal_hold_rows(handler_client.get(detail_url(street_case)))[0].split())
    assert "In force" in row and "Asiakirjapyyntö" in row
    assert "Set on 03/04/2026 12:15 p.m." in row and "Set by" not in row


# --- data requests --------------------------------------------------------------------


def test_data_requests_need_the_permission(handler_client, street_case):
    assert refused(handler_client.get(reverse(DATA_URL)))
    assert refused(handler_client.post(reverse(DATA_URL), {"email": "a@example.com",
                                                           "erase": "1", "confirm": "1"}))
    anonymous = Client()
    assert anonymous.get(reverse(DATA_URL))["Location"].startswith(reverse("wagtailadmin_login"))
    assert Feedback.objects.get(pk=street_case.pk).contact_email == "asukas@example.com"


def test_phone_numbers_match_in_any_format(resident_cases):
    found = data_requests.cases_for(phone="040-123 4567")
    assert [case.pk for case in found] == [resident_cases[1].pk]
    assert list(data_requests.cases_for(phone="00358401234567")) == [resident_cases[1]]
    assert list(data_requests.cases_for(phone="123")) == []


def test_a_number_of_another_country_ending_in_the_same_digits_is_another_person(
        resident_cases, housing):
    """Tornio borders Sweden: +46 40 123 4567 ends in the digits of 040 123 4567 but is
    someone else's number, and is neither found, exported nor erased with it."""
    swedish = FeedbackFactory(category=housing, contact_email="", contact_phone="+46 40 123 4567")
    finnish = resident_cases[1]
    for typed in ("040 123 4567", "+358401234567", "401234567"):
        assert list(data_requests.cases_for(phone=typed)) == [finnish]
    for typed in ("+46 40 123 4567", "0046401234567"):
        assert list(data_requests.cases_for(phone=typed)) == [swedish]


def test_find_by_email_ignores_case(officer, resident_cases):
    response = find(officer, email="maija@example.COM")
    content = response.content.decode()
    assert resident_cases[0].reference in content
    assert resident_cases[1].reference not in content
    assert resident_cases[2].reference not in content


def test_export_is_a_json_file_of_the_residents_cases(officer, resident_cases):
    response = officer.post(reverse(DATA_URL), {"email": "maija@example.com", "export": "1"})
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert [case["reference"] for case in data["cases"]] == [resident_cases[0].reference]
    assert data["cases"][0]["message"] == "Maija Meikäläinen: valo rikki"


def test_the_export_is_in_each_cases_own_language_the_topic_included(officer, streets):
    """A Swedish resident's copy names the topic, the kind and the status in Swedish, an
    English one's in English, whatever the staff member's admin language."""
    streets.name_sv, streets.name_en = "Gator", "Streets"
    streets.save()
    FeedbackFactory(category=streets, contact_email="sv@example.com", language="sv",
                    kind="question")
    FeedbackFactory(category=streets, contact_email="sv@example.com", language="en",
                    kind="question")
    response = officer.post(reverse(DATA_URL), {"email": "sv@example.com", "export": "1"})
    cases = {case["language"]: case for case in json.loads(response.content)["cases"]}
    assert (cases["sv"]["category"], cases["sv"]["kind"], cases["sv"]["status"]) == (
        "Gator", "fråga", "ny")
    assert (cases["en"]["category"], cases["en"]["kind"], cases["en"]["status"]) == (
        "Streets", "question", "new")


def test_erase_needs_confirmation_then_erases_and_logs_without_the_address(
        officer, resident_cases, handler):
    add_photo(resident_cases[0])
    response = officer.post(reverse(DATA_URL), {"email": "maija@example.com", "erase": "1"})
    assert "Tick the box" in response.content.decode()
    assert Feedback.objects.get(pk=resident_cases[0].pk).contact_email
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = officer.post(reverse(DATA_URL), {"email": "maija@example.com", "erase": "1",
                                                    "confirm": "1"})
    assert response.status_code == 302
    case = Feedback.objects.get(pk=resident_cases[0].pk)
    assert (case.contact_email, case.contact_name) == ("", "")
    assert "Meikäläinen" not in case.message
    assert not case.photos.exists()
    entry = ModelLogEntry.objects.get(action=PERSONAL_DATA_REMOVED)
    assert "maija" not in json.dumps(entry.data).lower()
    # The case screen says the details were erased, not that none were left.
    screen_client = Client()
    screen_client.force_login(handler)
    screen = screen_client.get(detail_url(case)).content.decode()
    assert "The resident's contact details were erased on" in screen
    assert "The resident left no contact details." not in screen
    assert Feedback.objects.get(pk=resident_cases[2].pk).contact_email == "joku@example.com"


def test_after_an_erasure_the_status_link_no_longer_opens_the_case(officer, streets):
    """Security review 2026-12-03: the old link still showed what the erasure left (the
    place, the message's remnants) to whoever held it, and took follow-ups."""
    case = FeedbackFactory(page=feedback_page(), category=streets,
                           contact_email="maija@example.com", message="Valo rikki kotini edessä.")
    old = f"/palaute/status/{case.tracking_token}/"
    assert Client().get(old).status_code == 200
    with TestCase.captureOnCommitCallbacks(execute=True):
        officer.post(reverse(DATA_URL), {"email": "maija@example.com", "erase": "1",
                                         "confirm": "1"})
    resident = Client()
    assert resident.get(old).status_code == 404
    assert resident.post(old, {"message": "Lisätietoa vielä."}).status_code == 404
    case.refresh_from_db()
    assert "Lisätietoa" not in json.dumps(
        list(ModelLogEntry.objects.for_instance(case).values_list("data", flat=True)))
    # The case itself is still there, under a link nobody has.
    assert Client().get(f"/palaute/status/{case.tracking_token}/").status_code == 200


def test_an_address_with_no_cases_gets_a_clear_answer(officer, resident_cases):
    response = find(officer, email="nobody@example.com")
    html = response.content.decode()
    assert "No cases or other records were found for this email address or phone number." \
        in html
    assert "Nothing found" in html and "Found</" not in html  # no "found" heading above it
    response = officer.post(reverse(DATA_URL), {"email": "nobody@example.com", "erase": "1",
                                                "confirm": "1"}, follow=True)
    assert "nothing to erase" in response.content.decode()


def test_a_case_on_legal_hold_is_not_erased(officer, resident_cases):
    LegalHold.objects.create(feedback=resident_cases[0], reason="Valitus")
    response = officer.post(reverse(DATA_URL), {"email": "maija@example.com", "erase": "1",
                                                "confirm": "1"}, follow=True)
    assert resident_cases[0].reference in response.content.decode()
    assert Feedback.objects.get(pk=resident_cases[0].pk).contact_email == "Maija@Example.com"


def test_when_every_case_is_on_legal_hold_nothing_is_called_a_success(officer,
                                                                        resident_cases):
    """Erasing an address whose one case is on hold erased nothing: no green "erased from
    0 cases", but what happened, with the case named; one case is one (singular)."""
    LegalHold.objects.create(feedback=resident_cases[2], reason="Valitus")
    response = officer.post(reverse(DATA_URL), {"email": "joku@example.com", "erase": "1",
                                                "confirm": "1"}, follow=True)
    said = [(message.level_tag, html.unescape(str(message)).strip())
            for message in response.context["messages"]]
    assert ("warning", "No case's personal data was erased.") in said
    assert ("warning", f"Left as they are because of a legal hold: "
                       f"{resident_cases[2].reference}") in said
    assert not [text for level, text in said if level == "success"]
    LegalHold.objects.all().delete()
    response = officer.post(reverse(DATA_URL), {"email": "joku@example.com", "erase": "1",
                                                "confirm": "1"}, follow=True)
    assert "Personal data was erased from 1 case." in response.content.decode()


def test_the_form_asks_for_an_address(officer):
    response = find(officer, email="", phone="")
    assert "Give an email address or a phone number." in response.content.decode()


class UrlCollector(HTMLParser):
    """Every URL a page holds (links, form targets, sources), and the method of each
    form that has an address field (a GET form would put the address in its URL)."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data-url", "srcset"}

    def __init__(self):
        super().__init__()
        self.urls, self.address_form_methods, self.form_method = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.urls += [value for name, value in attrs.items()
                      if value and (name in self.URL_ATTRIBUTES or name.endswith("-url"))]
        if tag == "form":
            self.form_method = (attrs.get("method") or "get").lower()
        elif tag == "input" and attrs.get("name") in {"email", "phone"}:
            self.address_form_methods.append(self.form_method)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form_method = None


def urls_of(response):
    """The URL the response answered, where it redirects, and the URLs in its page."""
    urls = [response.request["PATH_INFO"] + "?" + response.request.get("QUERY_STRING", "")]
    urls += [url for url, _status in getattr(response, "redirect_chain", [])]
    if response.has_header("Location"):
        urls.append(response["Location"])
    if response["Content-Type"].startswith("text/html"):
        page = UrlCollector()
        page.feed(response.content.decode())
        assert set(page.address_form_methods) <= {"post"}, "the address would be in a URL"
        urls += page.urls
    return urls


def test_no_url_holds_the_address_after_a_search_an_export_and_an_erasure(
        officer, resident_cases):
    address = {"email": "Maija@Example.com", "phone": "040 123 4567"}
    responses = [find(officer, **address)]
    page = responses[0].content.decode()
    assert resident_cases[0].reference in page and resident_cases[1].reference in page
    assert "Tick the box" not in page
    responses.append(officer.post(reverse(DATA_URL), {**address, "export": "1"}))
    assert responses[-1]["Content-Disposition"].startswith("attachment")
    responses.append(officer.post(reverse(DATA_URL), {**address, "erase": "1"}))
    assert "Tick the box" in responses[-1].content.decode()
    responses.append(officer.post(reverse(DATA_URL), {**address, "erase": "1", "confirm": "1"},
                                  follow=True))
    assert "erased from 2 cases" in responses[-1].content.decode()

    urls = [url.lower() for response in responses for url in urls_of(response)]
    leaks = {"maija@example.com", quote("maija@example.com"), "maija%40", "maija",
             "1234567", quote_plus("040 123 4567"), quote("040 123 4567")}
    assert [url for url in urls if any(leak in url for leak in leaks)] == []
    assert reverse(DATA_URL) in urls  # the erasure came back to the bare page


def test_an_address_in_the_query_string_is_not_searched(officer, resident_cases):
    response = officer.get(reverse(DATA_URL), {"email": "maija@example.com"})
    page = response.content.decode()
    assert response.status_code == 200
    assert resident_cases[0].reference not in page
    assert "maija@example.com" not in page.lower()


def test_the_search_needs_the_csrf_token(resident_cases):
    client = Client(enforce_csrf_checks=True)
    client.force_login(grant(admin_user(username="tietosuoja"), "handle_data_requests"))
    form = client.get(reverse(DATA_URL)).content.decode()
    assert 'name="csrfmiddlewaretoken"' in form
    response = client.post(reverse(DATA_URL), {"find": "1", "email": "maija@example.com"})
    assert response.status_code == 403
    assert resident_cases[0].reference not in response.content.decode()


def test_a_search_never_erases_even_with_the_box_ticked(officer, resident_cases):
    response = find(officer, email="maija@example.com", confirm="1")
    assert resident_cases[0].reference in response.content.decode()
    assert Feedback.objects.get(pk=resident_cases[0].pk).contact_email == "Maija@Example.com"


class FakeSubscriptions(data_requests.PersonalDataSource):
    """A stand-in for another part of the app that keeps addresses (e.g. "me too")."""

    name = "subscriptions"
    held = {"tilaaja@example.com": [{"case": "2026-00001", "since": "2026-05-01"}]}

    def find(self, email, phone):
        return list(self.held.get(email.lower(), []))

    def erase(self, email, phone, *, user):
        return len(self.held.pop(email.lower(), []))


def test_registered_sources_are_found_exported_and_erased(officer):
    source = FakeSubscriptions()
    source.held = {"tilaaja@example.com": [{"case": "2026-00001", "since": "2026-05-01"}]}
    with hooks.register_temporarily(data_requests.HOOK, lambda: source):
        page = find(officer, email="tilaaja@example.com")
        assert "subscriptions: 1" in page.content.decode()
        exported = json.loads(officer.post(reverse(DATA_URL), {
            "email": "tilaaja@example.com", "export": "1"}).content)
        assert exported == {"cases": [], "subscriptions": [
            {"case": "2026-00001", "since": "2026-05-01"}]}
        response = officer.post(reverse(DATA_URL), {"email": "tilaaja@example.com",
                                                    "erase": "1", "confirm": "1"}, follow=True)
    assert "1 other record (such as a subscription) was erased." in response.content.decode()
    assert source.held == {}


def test_result_list_query_count_does_not_grow(officer):
    from .factories import CategoryFactory

    group = CategoryFactory(name_fi="Liikenne")
    for _ in range(3):
        FeedbackFactory(category=CategoryFactory(parent=group), contact_email="a@example.com")

    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert find(officer, email="a@example.com").status_code == 200
        return len(captured)

    few = queries()
    for _ in range(5):
        FeedbackFactory(category=CategoryFactory(parent=group), contact_email="a@example.com")
    assert queries() == few


def test_a_phone_number_finds_and_erases_the_free_form_submissions_holding_it(officer):
    """A phone search found the cases but not the free-form form submissions holding the
    same number, which an email search found (acceptance test, 2026-12-03)."""
    from wagtail.contrib.forms.models import FormSubmission

    from .legacy_fixtures import legacy_form, submission_of

    page = legacy_form()
    mine = submission_of(page, nimi="Anna Asiakas", puhelin="040 333 4444")
    other = submission_of(page, nimi="Toinen", puhelin="+46 40 333 4444")  # Sweden
    response = find(officer, phone="+358403334444")
    assert response.context["others"]["form_submissions"][0]["answers"]["nimi"] == \
        "Anna Asiakas"
    assert len(response.context["others"]["form_submissions"]) == 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        officer.post(reverse(DATA_URL), {"phone": "040-3334444", "erase": "1", "confirm": "1"})
    assert not FormSubmission.objects.filter(pk=mine.pk).exists()
    assert FormSubmission.objects.filter(pk=other.pk).exists()


def test_me_too_emails_to_the_address_are_exported_and_emptied(officer, streets):
    """After an erasure a "me too" confirmation email kept the address and its whole text in
    the database, and the export left it out (acceptance test, 2026-12-03)."""
    from palaute_plugin.models import Notification

    other_case = FeedbackFactory(category=streets, contact_email="toinen@example.com")
    confirm = Notification.objects.create(
        template="metoo_confirm", recipient="pekka@example.com", subject="Vahvista",
        body_text="Vahvista osoitteella https://…/vahvista/abc/", state="sent")
    closed = Notification.objects.create(
        feedback=other_case, template="metoo_closed", recipient="Pekka@Example.com",
        subject="Asia ratkaistu", body_text="Asia 2026-00001 on ratkaistu.", state="pending")
    theirs = Notification.objects.create(
        feedback=other_case, template="receipt", to_resident=True,
        recipient="toinen@example.com", subject="Kiitos", body_text="Kiitos", state="sent")
    own_case = FeedbackFactory(category=streets, contact_email="pekka@example.com")
    Notification.objects.create(  # goes with the case, not counted among "other cases"
        feedback=own_case, template="receipt", to_resident=True,
        recipient="pekka@example.com", subject="Oma kuittaus", body_text="Kiitos", state="sent")
    response = find(officer, email="pekka@example.com")
    assert [row["subject"] for row in response.context["others"]["emails"]] == [
        "Vahvista", "Asia ratkaistu"]
    exported = officer.post(reverse(DATA_URL), {"email": "pekka@example.com", "export": "1"})
    assert [row["text"] for row in json.loads(exported.content)["emails"]][0].startswith(
        "Vahvista osoitteella")
    with TestCase.captureOnCommitCallbacks(execute=True):
        officer.post(reverse(DATA_URL), {"email": "pekka@example.com", "erase": "1",
                                         "confirm": "1"})
    for row in (confirm, closed):
        row.refresh_from_db()
        assert (row.recipient, row.body_text, row.body_html) == ("", "", "")
    closed.refresh_from_db()
    assert closed.state == "failed"  # not sent after the erasure
    theirs.refresh_from_db()
    assert theirs.recipient == "toinen@example.com"


def test_the_result_names_what_else_was_found_and_where_the_page_is(officer, streets):
    """The list showed "me_too_subscriptions: 1" and "form_submissions: 1", the status in
    lower case, and the header only "Home" (staff acceptance test, 2026-12-03)."""
    from .legacy_fixtures import legacy_form, submission_of

    FeedbackFactory(category=streets, contact_email="pekka@example.com")
    submission_of(legacy_form(), sahkoposti="pekka@example.com")
    html = find(officer, email="pekka@example.com").content.decode()
    assert "Free-form form submissions: 1" in html
    assert "form_submissions" not in html
    assert " · New" in html
    breadcrumbs = html[html.index("w-breadcrumbs"):html.index("</nav>", html.index("w-breadcrumbs"))]
    assert "Residents&#x27; data requests" in breadcrumbs


def test_the_results_link_only_the_cases_the_officer_may_open(officer, resident_cases, streets,
                                                             handler):
    """Acceptance test 2026-12-03: each reference led a data-protection officer without a
    category to "you do not have permission"."""
    html = find(officer, email="maija@example.com").content.decode()
    case = resident_cases[0]
    assert case.reference in html
    assert f'href="{detail_url(case)}"' not in html
    handler_client = Client()
    handler_client.force_login(grant(handler, "handle_data_requests"))
    html = find(handler_client, email="maija@example.com").content.decode()
    assert f'href="{detail_url(case)}"' in html
