"""What residents read around the form: receipt, status page, language links, error pages."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Locale, ModelLogEntry

from palaute_plugin.models import Feedback
from tests.factories import FeedbackFactory, feedback_page, site_root
from tests.publication_fixtures import approve, proposed

pytestmark = pytest.mark.django_db


@pytest.fixture
def page():
    return feedback_page()


def swedish(page):
    locale = Locale.objects.get_or_create(language_code="sv")[0]
    page.get_parent().specific.copy_for_translation(locale).save_revision().publish()
    copy = page.copy_for_translation(locale)
    copy.save_revision().publish()
    return copy


@pytest.mark.parametrize(("kind", "title"), [
    (Feedback.Kind.FEEDBACK, "Kiitos palautteestasi"),
    (Feedback.Kind.QUESTION, "Kiitos kysymyksestäsi"),
    (Feedback.Kind.PROPOSAL, "Kiitos ehdotuksestasi"),
])
def test_the_receipt_thanks_for_what_was_sent(client, page, kind, title):
    feedback = FeedbackFactory(page=page, kind=kind)
    html = client.get(f"/palaute/receipt/{feedback.tracking_token}/").content.decode()
    assert f"<h1>{title}</h1>" in html
    assert "Kuittaus on matkalla osoitteeseen asukas@example.com" in html


def test_language_links_on_private_pages_keep_the_case(client, page):
    swedish(page)
    feedback = FeedbackFactory(page=page)
    for route in ("receipt", "status"):
        html = client.get(f"/palaute/{route}/{feedback.tracking_token}/").content.decode()
        assert f'href="/sv/palaute/{route}/{feedback.tracking_token}/"' in html, route
    swedish_status = client.get(f"/sv/palaute/status/{feedback.tracking_token}/")
    assert swedish_status.status_code == 200
    assert '<html lang="sv">' in swedish_status.content.decode()


def test_language_links_on_public_pages_keep_the_page_and_its_filters(
        client, page, workflow, handler, moderator, personal_case):
    """Switching the language on the public list, a record, the map, the me-too form or
    the form opened from a page keeps the visitor on the same page, with its query."""
    swedish(page)
    publication = approve(proposed(personal_case, handler), moderator)
    reference = publication.reference
    for path in ("julkiset/?status=new&page=1", "julkiset/kartta/", f"julkiset/{reference}/",
                 f"julkiset/{reference}/mina-myos/", "?from=3"):
        # Only the route's own parameters: nothing else the address carried (the list's
        # page is cached and shown to later visitors with the same filters).
        joiner = "&" if "?" in path else "?"
        response = client.get(f"/palaute/{path}{joiner}fbclid=seuranta")
        assert response.status_code == 200, path
        html = response.content.decode()
        link = f'href="/sv/palaute/{path}"'.replace("&", "&amp;")
        assert link in html, path
        assert 'href="/sv/palaute/"' not in html, path
        assert "seuranta" not in html, path
    assert client.get(f"/sv/palaute/julkiset/{reference}/").status_code == 200


def test_the_status_page_writes_its_times_one_way_and_names_the_follow_up_once(
        client, page):
    """The details and the history wrote one time three ways ("14:57", "14.57",
    "2:57 p.m."), and the follow-up's heading was its field's label too. The Finnish way,
    as in the emails ("14.57"; acceptance test 2026-12-03: the page said "14:57")."""
    swedish(page)
    feedback = FeedbackFactory(page=page)
    log(instance=feedback, action="palaute_plugin.status_changed",
        data={"status": "in_progress"})
    ModelLogEntry.objects.for_instance(feedback).update(timestamp=feedback.created_at)
    local = timezone.localtime(feedback.created_at)
    written = f"{local.day}.{local.month}.{local.year} {local:%H.%M}"
    for prefix in ("", "/sv"):
        html = client.get(f"{prefix}/palaute/status/{feedback.tracking_token}/").content.decode()
        assert html.count(written) == 2, prefix  # received, and the history's entry
    html = client.get(f"/palaute/status/{feedback.tracking_token}/").content.decode()
    assert html.count("Täydennä viestiäsi") == 1
    assert "Mitä haluat lisätä?" in html


def test_the_phone_field_opens_the_numeric_keypad(client, page):
    html = client.get("/palaute/").content.decode()
    field = html[html.index('name="contact_phone"') - 200:html.index('name="contact_phone"') + 200]
    assert field.count('type="tel"') == 1 and 'type="text"' not in field


def test_the_status_history_is_a_plain_list_with_a_badge(client, page):
    feedback = FeedbackFactory(page=page)
    html = client.get(f"/palaute/status/{feedback.tracking_token}/").content.decode()
    assert '<ul class="timeline">' in html and '<ol class="timeline">' not in html
    assert 'class="status status--new"' in html


def test_not_found_offers_a_way_back(client, page):
    response = client.get("/ei-ole-olemassa/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'href="/"' in html and 'href="/palaute/"' in html


def test_server_error_page_is_styled_and_gives_a_phone_number():
    html = render_to_string("500.html")
    assert "/static/css/site.css" in html
    assert "016 432 11" in html


def test_the_front_page_title_is_not_doubled(client):
    site_root()
    html = Client().get("/").content.decode()
    title = html[html.index("<title>") + 7:html.index("</title>")]
    assert title == "Tornion kaupunki"


def test_errors_name_the_field_in_plain_language(client, page):
    from palaute_plugin.public import antispam  # noqa: PLC0415

    response = client.post("/palaute/", {"message": "lyhyt", "contact_email": "maija@",
                                         "form_token": antispam.issue_form_token()})
    html = response.content.decode()
    assert response.status_code == 400
    for message in ("Valitse, mitä haluat lähettää: palautteen, kysymyksen vai "
                    "toimenpide-ehdotuksen.",
                    "Valitse viestisi aihe.",
                    "Kirjoita viestiisi vähintään 10 merkkiä (nyt 5).",
                    "Kirjoita sähköpostiosoite muodossa nimi@esimerkki.fi tai jätä kenttä "
                    "tyhjäksi."):
        assert message in html
    assert "Tämä kenttä vaaditaan" not in html and "Tämän arvon tulee" not in html


@pytest.mark.parametrize(("prefix", "kind", "heading", "received", "follow"), [
    ("", Feedback.Kind.QUESTION, "Kysymys", "Kysymys vastaanotettu", "Seuraa kysymystäsi"),
    ("", Feedback.Kind.PROPOSAL, "Ehdotus", "Ehdotus vastaanotettu", "Seuraa ehdotustasi"),
    ("/sv", Feedback.Kind.QUESTION, "Fråga", "Frågan har tagits emot", "Följ din fråga"),
    ("/sv", Feedback.Kind.PROPOSAL, "Förslag", "Förslaget har tagits emot", "Följ ditt förslag"),
    ("/en", Feedback.Kind.QUESTION, "Question", "Question received", "Follow your question"),
    ("/en", Feedback.Kind.PROPOSAL, "Proposal", "Proposal received", "Follow your proposal"),
])
def test_a_question_or_proposal_is_not_called_feedback_on_its_pages(
        client, page, prefix, kind, heading, received, follow):
    """The receipt's heading thanked for the proposal; the rest, the status page and its
    history said "feedback" ("Följ din respons", "Feedback 2026-00010")."""
    if prefix == "/sv":
        swedish(page)
    elif prefix == "/en":
        locale = Locale.objects.get_or_create(language_code="en")[0]
        page.get_parent().specific.copy_for_translation(locale).save_revision().publish()
        page.copy_for_translation(locale).save_revision().publish()
    feedback = FeedbackFactory(page=page, kind=kind, contact_email="")
    log(instance=feedback, action="palaute_plugin.received")
    receipt = client.get(f"{prefix}/palaute/receipt/{feedback.tracking_token}/").content.decode()
    status = client.get(f"{prefix}/palaute/status/{feedback.tracking_token}/").content.decode()
    assert f"<h2>{follow}</h2>" in receipt
    assert f"<h1>{heading} {feedback.reference}</h1>" in status
    assert received in status
    for html in (receipt, status):
        body = html[html.index("<main"):html.index("</main>")]
        text = re.sub(r"https?://\S+", " ", re.sub(r"<[^>]+>", " ", body)).lower()
        # The only "feedback" left is the link to send new feedback.
        for link in ("send new feedback", "lähetä uusi palaute", "skicka en ny respons"):
            text = text.replace(link, "")
        assert not re.findall(r"feedback|palaut|\brespons(?:en|er)?\b", text), text


@pytest.mark.parametrize(("data", "entry"), [
    ({"public_message": "Lisää tietoa", "photos": 0}, "Lisäsit tietoja"),
    ({"public_message": "", "photos": 1}, "Lisäsit 1 kuvan"),
    ({"public_message": "", "photos": 3}, "Lisäsit 3 kuvaa"),
    ({"public_message": "Kuvat liitteenä", "photos": 2}, "Lisäsit tietoja ja 2 kuvaa"),
])
def test_the_history_says_what_a_follow_up_added(client, page, data, entry):
    """A follow-up of photos alone read "Täydensit palautettasi" above nothing."""
    feedback = FeedbackFactory(page=page)
    log(instance=feedback, action="palaute_plugin.follow_up", data=data)
    html = client.get(f"/palaute/status/{feedback.tracking_token}/").content.decode()
    assert entry in html


@pytest.mark.parametrize(("email", "earlier_status", "promised"), [
    ("maija@example.com", Feedback.Status.IN_PROGRESS, True),
    ("", Feedback.Status.IN_PROGRESS, False),
    ("maija@example.com", Feedback.Status.RESOLVED, False),
])
def test_an_already_known_case_promises_an_email_only_to_an_address_while_it_is_open(
        client, page, email, earlier_status, promised):
    """Acceptance test 2026-12-03: "We will tell you by email when it is resolved" to a
    resident who left no address, and beside "whose status is: resolved"."""
    earlier = FeedbackFactory(page=page, status=earlier_status)
    feedback = FeedbackFactory(page=page, contact_email=email, duplicate_of=earlier,
                               status=Feedback.Status.ALREADY_KNOWN)
    html = client.get(f"/palaute/status/{feedback.tracking_token}/").content.decode()
    assert f"aiemman palautteen {earlier.reference} yhteydessä" in html
    assert ("Kerromme sinulle sähköpostitse, kun asia on ratkaistu." in html) is promised
