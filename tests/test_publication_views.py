"""Admin and public views of publications: test-client tests, permissions included."""

import json
import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from palaute_plugin import actions
from palaute_plugin.models import Feedback
from palaute_plugin.publication import log_actions
from palaute_plugin.publication.models import FeedbackPublication
from palaute_plugin.staff.viewsets import feedback_viewset

from .admin_fixtures import detail_url
from .factories import FeedbackFactory, UserFactory, feedback_page
from .publication_fixtures import approve, proposed

pytestmark = pytest.mark.django_db

SNIPPET = "wagtailsnippets_palaute_plugin_feedbackpublication"


def propose_url(case):
    return reverse(f"{SNIPPET}:propose", args=[case.pk])


def edit_url(publication):
    return reverse(f"{SNIPPET}:edit", args=[publication.pk])


@pytest.fixture
def page():
    return feedback_page()


@pytest.fixture
def published(workflow, handler, moderator, personal_case):
    return approve(proposed(personal_case, handler), moderator)


# --- admin -------------------------------------------------------------------------


def test_case_screen_offers_proposing(workflow, handler_client, personal_case):
    response = handler_client.get(detail_url(personal_case))
    assert response.status_code == 200
    assert propose_url(personal_case) in response.content.decode()


def test_case_screen_tells_the_handler_where_the_record_is_in_moderation(
        workflow, handler, handler_client, moderator, personal_case):
    """In review it awaits the moderators; sent back, the handler reads that it is their
    move and the moderator's comment (it said "awaiting moderation" then too)."""
    publication = proposed(personal_case, handler)
    panel = handler_client.get(detail_url(personal_case)).content.decode()
    assert "Changes are awaiting moderation." in panel
    assert "The moderator requested changes" not in panel
    publication.current_workflow_state.current_task_state.reject(
        user=moderator, comment="Poista <b>osoite</b>.")
    panel = handler_client.get(detail_url(personal_case)).content.decode()
    assert "Changes are awaiting moderation." not in panel
    assert ("The moderator requested changes. Edit the public record and resubmit it."
            in panel)
    assert "Poista &lt;b&gt;osoite&lt;/b&gt;." in panel


def test_case_screen_says_when_the_resident_declined(workflow, handler_client, streets):
    case = FeedbackFactory(category=streets, publish_consent=False)
    content = handler_client.get(detail_url(case)).content.decode()
    assert propose_url(case) not in content
    assert "The resident asked that this feedback is not published." in content


def test_propose_view_creates_the_draft_and_opens_it(workflow, handler_client, personal_case):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = handler_client.post(propose_url(personal_case))
    publication = FeedbackPublication.objects.get(feedback=personal_case)
    assert response.status_code == 302 and response["Location"] == edit_url(publication)
    page = handler_client.get(edit_url(publication)).content.decode()
    assert "<mark>[poistettu]</mark>" in page
    assert "maija@example.com" not in page


def test_declined_case_is_refused_with_a_message(workflow, handler_client, streets):
    case = FeedbackFactory(category=streets, publish_consent=False)
    response = handler_client.post(propose_url(case), follow=True)
    assert "The resident asked that this feedback is not published." in response.content.decode()
    assert not FeedbackPublication.objects.exists()


def test_other_category_handler_gets_404(workflow, client, housing_handler, handler,
                                         personal_case):
    publication = proposed(personal_case, handler)
    client.force_login(housing_handler)
    assert client.post(propose_url(personal_case)).status_code == 404
    assert client.get(edit_url(publication)).status_code == 404
    assert client.get(reverse(f"{SNIPPET}:history", args=[publication.pk])).status_code == 404
    listing = client.get(reverse(f"{SNIPPET}:list"))
    assert publication.title not in listing.content.decode()


def test_moderator_sees_it_awaiting_review_and_can_edit(workflow, client, moderator,
                                                        handler, personal_case):
    publication = proposed(personal_case, handler)
    client.force_login(moderator)
    assert client.get(edit_url(publication)).status_code == 200
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert publication.title in dashboard


def review_cells(client):
    """Each row's reference and its "Review" cell in the publications list."""
    soup = BeautifulSoup(client.get(reverse(f"{SNIPPET}:list")).content, "html.parser")
    header = [" ".join(th.get_text().split()) for th in soup.select("table thead th")]
    reference, review = header.index("Reference"), header.index("Review")
    rows = [[" ".join(td.get_text().split()) for td in tr.find_all(["td", "th"])]
            for tr in soup.select("table tbody tr")]
    return {row[reference]: row[review] for row in rows}


def test_the_list_says_which_records_await_review_or_changes(workflow, client, moderator,
                                                             handler, personal_case, streets):
    """Acceptance test 2026-12-03: the list showed "Live: No" for a draft awaiting the
    moderator and one sent back to its handler alike."""
    waiting = proposed(personal_case, handler)
    returned = proposed(FeedbackFactory(category=streets, message="Kuoppa tiessä."), handler)
    with TestCase.captureOnCommitCallbacks(execute=True):
        returned.current_workflow_state.current_task_state.reject(user=moderator, comment="x")
    public = approve(proposed(FeedbackFactory(category=streets, message="Roskis täynnä."),
                              handler), moderator)
    client.force_login(moderator)
    assert review_cells(client) == {waiting.reference: "Awaiting review",
                                    returned.reference: "Changes requested",
                                    public.reference: "–"}


def test_the_lists_queries_do_not_grow_with_its_rows(workflow, client, moderator, handler,
                                                     streets):
    proposed(FeedbackFactory(category=streets, message="Eka viesti."), handler)
    client.force_login(moderator)
    url = reverse(f"{SNIPPET}:list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for number in range(4):
        proposed(FeedbackFactory(category=streets, message=f"Viesti {number}."), handler)
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    assert len(five) == len(one)


def test_the_reviewers_preview_shows_what_approval_publishes(workflow, client, moderator,
                                                             handler, personal_case):
    """Acceptance test 2026-12-03: a moderator saved a draft with a phone number, the
    preview (and the link in the reviewers' emails) still showed the submitted text, and
    approval published the saved one."""
    publication = proposed(personal_case, handler)
    task = publication.current_workflow_state.current_task_state.task
    publication.text = "Soita minulle 040 765 4321."
    publication.save_revision(user=moderator)
    client.force_login(moderator)
    preview = client.get(reverse(f"{SNIPPET}:workflow_preview", args=[publication.pk, task.pk]))
    assert "Soita minulle 040 765 4321." in preview.content.decode()
    approve(publication, moderator)
    publication.refresh_from_db()
    assert publication.live and publication.text == "Soita minulle 040 765 4321."


def test_a_record_under_review_is_approved_not_published_past_its_review(
        workflow, client, moderator, handler, personal_case):
    """Acceptance test 2026-12-03: the moderator's "Publish" cancelled the review and
    published it; the handler heard nothing."""
    publication = proposed(personal_case, handler)
    client.force_login(moderator)
    editor = client.get(edit_url(publication)).content.decode()
    assert 'name="action-publish"' not in editor
    assert 'data-workflow-action-name="approve"' in editor
    data = {"title": publication.title, "text": publication.text, "public_answer": "",
            "category": publication.category_id, "kind": "feedback", "language": "fi",
            "latitude": "65.846", "longitude": "24.144", "action-publish": "true"}
    client.post(edit_url(publication), data)
    publication.refresh_from_db()
    assert not publication.live
    assert publication.current_workflow_state.status == "in_progress"


def test_form_warns_of_an_email_before_approval(workflow, client, moderator, handler,
                                                personal_case):
    publication = proposed(personal_case, handler)
    client.force_login(moderator)
    data = {"title": publication.title, "text": "Kirjoita osoitteeseen a@b.fi",
            "public_answer": "", "category": publication.category_id, "kind": "feedback",
            "language": "fi", "latitude": "65.846", "longitude": "24.144",
            "action-workflow-action": "true", "workflow-action-name": "approve"}
    response = client.post(edit_url(publication), data)
    assert response.status_code == 200
    assert "seems to contain an email address" in response.content.decode()
    publication.refresh_from_db()
    assert not publication.live and "a@b.fi" not in publication.text


# --- public ------------------------------------------------------------------------


def test_list_shows_published_only(client, page, published, streets):
    FeedbackFactory(category=streets, message="Yksityinen asia")
    response = client.get(page.url + "julkiset/")
    content = response.content.decode()
    assert response.status_code == 200
    assert published.title in content and "Yksityinen" not in content


def test_list_filters_and_bad_filters(client, page, published, housing):
    assert published.title in client.get(
        page.url + f"julkiset/?category={published.category_id}&status=new").content.decode()
    assert published.title not in client.get(
        page.url + f"julkiset/?category={housing.pk}").content.decode()
    assert published.title not in client.get(
        page.url + "julkiset/?status=resolved").content.decode()
    assert client.get(page.url + "julkiset/?since=huomenna").status_code == 400


def list_queries(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_list_query_count_is_constant_and_cached(client, page, published, handler, moderator,
                                                 streets):
    url = page.url + "julkiset/"
    list_queries(client, url)  # the first request of a site creates its site settings row
    one, _content = list_queries(client, url)
    for number in range(5):
        case = FeedbackFactory(category=streets, message=f"Asia numero {number} kadulla.")
        approve(proposed(case, handler), moderator)
    six, content = list_queries(client, url)
    assert content.count("<h3>") == 6
    assert six == one
    with CaptureQueriesContext(connection) as cached_queries:
        client.get(url)
    assert len(cached_queries) < one  # the list itself comes from the cache


def test_list_cache_is_invalidated_by_status_change_and_unpublish(client, page, published,
                                                                  handler, moderator,
                                                                  personal_case):
    assert "Uusi" in client.get(page.url + "julkiset/").content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.resolve(personal_case, user=handler, message="Korjattu.")
    assert "Ratkaistu" in client.get(page.url + "julkiset/").content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        published.unpublish(user=moderator)
    assert published.title not in client.get(page.url + "julkiset/").content.decode()
    assert ModelLogEntry.objects.for_instance(personal_case).filter(
        action=log_actions.UNPUBLISHED).exists()


def test_detail_shows_moderated_text_and_404s_identically(client, page, published, streets,
                                                          handler, personal_case):
    response = client.get(page.url + f"julkiset/{published.reference}/")
    content = response.content.decode()
    assert response.status_code == 200 and published.text in content
    assert "maija@example.com" not in content
    private = FeedbackFactory(category=streets)
    draft = proposed(FeedbackFactory(category=streets), handler)
    unknown = client.get(page.url + "julkiset/2099-99999/")
    for reference in (private.reference, draft.reference):
        response = client.get(page.url + f"julkiset/{reference}/")
        assert response.status_code == 404 and response.content == unknown.content
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.reject(personal_case, user=handler, reason="Asiaton")
    assert client.get(page.url + f"julkiset/{published.reference}/").status_code == 404


def test_geojson_for_the_box(client, page, published):
    response = client.get(page.url + "julkiset/kartta.geojson?bbox=65.8,24.1,65.9,24.2")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert [f["properties"]["reference"] for f in data["features"]] == [published.reference]
    assert data["features"][0]["geometry"]["coordinates"] == [24.144, 65.846]
    outside = client.get(page.url + "julkiset/kartta.geojson?bbox=60,20,61,21")
    assert json.loads(outside.content)["features"] == []


@pytest.mark.parametrize("bbox", ["abc", "1,2,3", "65.9,24.1,65.8,24.2", "65.8,24.2,65.9,24.1",
                                  "nan,1,2,3", "inf,-inf,inf,inf", "65.8,inf,65.9,inf",
                                  "1e400,0,1,1", ""])
def test_geojson_bad_bbox_is_400(client, page, bbox):
    url = page.url + "julkiset/kartta.geojson"
    if bbox:
        url += f"?bbox={bbox}"
        assert client.get(url).status_code == 400
    else:
        assert client.get(url).status_code == 200  # the city's area by default


def test_geojson_whole_world_is_capped(client, page, published, settings):
    from palaute_plugin.public import published as module

    settings_cap = module.MAX_FEATURES
    try:
        module.MAX_FEATURES = 1
        response = client.get(page.url + "julkiset/kartta.geojson?bbox=-400,-900,400,900")
    finally:
        module.MAX_FEATURES = settings_cap
    data = json.loads(response.content)
    assert response.status_code == 200 and len(data["features"]) == 1 and data["truncated"]


@pytest.fixture
def two_topics(published, handler, moderator, streets):
    """``published`` (streets, a question) and a parks record a few streets away."""
    from .factories import CategoryFactory

    parks = CategoryFactory(name_fi="Puistot", name_en="Parks")
    other = approve(proposed(FeedbackFactory(category=streets, latitude=65.848, longitude=24.15,
                                             message="Penkki on rikki puistossa."),
                             handler), moderator)
    FeedbackPublication.objects.filter(pk=other.pk).update(category=parks)
    cache.clear()  # the update bypassed the publications' cache version
    return published, other, parks


def test_the_lists_map_link_keeps_its_filters_and_the_map_shows_only_those(
        client, page, two_topics):
    published, other, parks = two_topics
    listing = client.get(page.url + f"julkiset/?category={parks.pk}&page=1").content.decode()
    assert f'href="kartta/?category={parks.pk}"' in listing  # filters, not the page
    response = client.get(page.url + f"julkiset/kartta/?category={parks.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert other.title in html and published.title not in html
    assert f'data-geojson-url="{page.url}julkiset/kartta.geojson?category={parks.pk}"' in html
    assert f'href="{page.url}julkiset/?category={parks.pk}"' in html  # back to the same list
    assert "Näytetään vain listan rajauksilla valitut palautteet." in html
    unfiltered = client.get(page.url + "julkiset/kartta/").content.decode()
    assert other.title in unfiltered and published.title in unfiltered
    assert "listan rajauksilla" not in unfiltered


def test_the_geojson_takes_the_lists_filters_each_cached_apart(client, page, two_topics):
    published, other, parks = two_topics
    url = page.url + "julkiset/kartta.geojson?bbox=65.8,24.1,65.9,24.2"

    def references(query=""):
        response = client.get(url + query)
        assert response.status_code == 200
        return sorted(f["properties"]["reference"] for f in json.loads(response.content)[
            "features"])

    assert references() == sorted([published.reference, other.reference])
    assert references(f"&category={parks.pk}") == [other.reference]
    assert references() == sorted([published.reference, other.reference])
    assert references("&status=new") == sorted([published.reference, other.reference])
    assert references("&kind=proposal") == []
    refused = client.get(url + "&category=abc")
    assert refused.status_code == 400
    assert json.loads(refused.content)["fields"] == ["category"]


def test_a_group_chosen_in_the_filters_shows_its_subtopics_records(
        client, page, two_topics, streets, handler, moderator):
    """Choosing a group (Liikenne) shows the records of its subtopics, one no longer offered
    included, in the list and on the map; the topics are grouped as in the resident form."""
    from .factories import CategoryFactory

    published, parks_record, _parks = two_topics
    traffic = CategoryFactory(name_fi="Liikenne", name_en="Traffic")
    retired = CategoryFactory(name_fi="Vanha aihe", parent=traffic, active=False)
    streets.parent = traffic
    streets.save()
    old = approve(proposed(FeedbackFactory(category=streets, latitude=65.85, longitude=24.16,
                                           message="Vanhan aiheen asia kadulla."),
                           handler), moderator)
    FeedbackPublication.objects.filter(pk=old.pk).update(category=retired)
    cache.clear()  # the update bypassed the publications' cache version

    listing = client.get(page.url + f"julkiset/?category={traffic.pk}").content.decode()
    assert published.title in listing
    assert old.title in listing
    assert parks_record.title not in listing
    geojson = json.loads(client.get(
        page.url + f"julkiset/kartta.geojson?bbox=65.8,24.1,65.9,24.2&category={traffic.pk}"
    ).content)
    assert sorted(f["properties"]["reference"] for f in geojson["features"]) == sorted(
        [published.reference, old.reference])
    # A subtopic alone is still itself only.
    only_streets = client.get(page.url + f"julkiset/?category={streets.pk}").content.decode()
    assert published.title in only_streets
    assert old.title not in only_streets
    # The group's options: the whole group first, then its subtopics, indented by the group.
    select = re.search(r'<select name="category".*?</select>', listing, re.S).group(0)
    found = re.findall(r'<optgroup label="([^"]*)">|<option value="(\d*)"[^>]*>([^<]*)<',
                       select)
    assert [(group, label) for group, _pk, label in found] == [
        ("", "Kaikki aiheet"), ("", "Asuminen"), ("Liikenne", ""),
        ("", "Liikenne: kaikki aiheet"), ("", streets.name_fi), ("", "Puistot")]
    assert found[3][1] == str(traffic.pk)


def test_the_map_with_filters_it_cannot_use_says_so_and_shows_all(client, page, two_topics):
    published, other, _parks = two_topics
    response = client.get(page.url + "julkiset/kartta/?since=eilen")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Osoitteen rajauksia ei voitu käyttää" in html
    assert other.title in html and published.title in html
    assert 'data-geojson-url="/palaute/julkiset/kartta.geojson"' in html


def test_the_map_page_lists_the_newest_few_and_links_to_the_list(client, page, two_topics,
                                                                  monkeypatch):
    """Beside the map, for browsers without JavaScript: the newest ``MAP_LIST_ITEMS`` and a
    note with the list's link (it rendered up to 500)."""
    from palaute_plugin.public import published as module

    published, other, _parks = two_topics
    monkeypatch.setattr(module, "MAP_LIST_ITEMS", 1)
    html = client.get(page.url + "julkiset/kartta/").content.decode()
    assert other.title in html and published.title not in html
    assert "Tässä luetellaan 1 uusinta." in html
    monkeypatch.setattr(module, "MAP_LIST_ITEMS", 2)
    html = client.get(page.url + "julkiset/kartta/").content.decode()
    assert other.title in html and published.title in html
    assert "data-map-newest-note" not in html


def test_map_page_uses_local_static_files_only(client, page, published):
    response = client.get(page.url + "julkiset/kartta/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "markercluster/leaflet.markercluster.js" in content
    assert "unpkg" not in content and "cdn" not in content.lower()
    assert published.title in content  # the list beside the map works without JavaScript


def test_form_page_links_to_published_and_explains_publication(client, page):
    content = client.get(page.url).content.decode()
    assert page.url + "julkiset/" in content
    assert "Älä julkaise palautettani" in content
    assert "ilman nimeäsi tai yhteystietojasi" in content


@pytest.mark.parametrize("ticked, consent", [(True, False), (False, True)])
def test_resident_choice_is_saved(client, page, streets, ticked, consent):
    from .test_public_form import form_data, post

    data = form_data(streets)
    if ticked:
        data["do_not_publish"] = "on"
    assert post(client, page, data).status_code == 302
    assert Feedback.objects.get().publish_consent is consent


def test_staff_entry_records_the_choice(handler_client, streets):
    from .test_case_views import CREATE_URL, staff_entry

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = handler_client.post(reverse(CREATE_URL),
                                       staff_entry(streets, do_not_publish="on"))
    assert response.status_code == 302
    assert Feedback.objects.get().publish_consent is False


def test_geojson_of_an_unknown_page_is_404(client, page):
    assert client.get("/eisivua/julkiset/kartta.geojson").status_code == 404


# --- photos ----------------------------------------------------------------------------


def test_chosen_photos_are_public_copies_under_new_names(client, page, workflow, handler,
                                                         moderator, personal_case):
    from palaute_plugin.publication.photos import PublicPhoto

    from .admin_fixtures import add_photo

    chosen, private = add_photo(personal_case, 0), add_photo(personal_case, 1)
    publication = proposed(personal_case, handler)
    client.force_login(moderator)
    assert "Photo 2" in client.get(edit_url(publication)).content.decode()
    publication.photo_ids = [chosen.pk]
    publication.save_revision(user=moderator)
    approve(publication, moderator)
    copy = PublicPhoto.objects.get()
    assert copy.source == chosen
    assert copy.image.name != chosen.image.name and copy.token not in chosen.image.name
    with chosen.image.open("rb") as original:
        original_bytes = original.read()
    detail = client.get(page.url + f"julkiset/{publication.reference}/").content.decode()
    url = page.url + f"julkiset/kuvat/{copy.token}/full/"
    assert url in detail
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == original_bytes
    assert chosen.image.storage.exists(chosen.image.name)  # the original stays
    assert client.get(page.url + "julkiset/kuvat/arvattu/full/").status_code == 404
    assert client.get(page.url + f"julkiset/kuvat/{copy.token}/huge/").status_code == 404
    # Deselected and published again: the copy and its files go.
    publication.refresh_from_db()
    publication.photo_ids = []
    with TestCase.captureOnCommitCallbacks(execute=True):  # files go once it commits
        publication.save_revision(user=moderator).publish(user=moderator)
    assert not PublicPhoto.objects.exists()
    assert not copy.image.storage.exists(copy.image.name)
    assert private.pk not in publication.photo_ids


def published_with_a_photo(case, handler, moderator):
    """The case published with its one photo chosen: ``(photo, publication, public copy)``."""
    from palaute_plugin.publication.photos import PublicPhoto

    from .admin_fixtures import add_photo

    photo = add_photo(case, 0)
    publication = proposed(case, handler)
    publication.photo_ids = [photo.pk]
    publication.save_revision(user=moderator)
    approve(publication, moderator)
    return photo, publication, PublicPhoto.objects.get()


def test_photo_of_an_unpublished_record_is_404(client, page, workflow, handler, moderator,
                                               personal_case):
    from palaute_plugin.publication.photos import PublicPhoto

    photo, publication, copy = published_with_a_photo(personal_case, handler, moderator)
    with TestCase.captureOnCommitCallbacks(execute=True):
        publication.unpublish(user=moderator)
    assert client.get(page.url + f"julkiset/kuvat/{copy.token}/full/").status_code == 404
    # Unpublished: no public copy and no copy's file is kept.
    assert not PublicPhoto.objects.exists()
    assert not copy.image.storage.exists(copy.image.name)
    assert not copy.thumbnail.storage.exists(copy.thumbnail.name)
    assert photo.image.storage.exists(photo.image.name)  # the private original stays


def test_deleting_a_case_deletes_its_public_copies_files(workflow, handler, moderator,
                                                        personal_case):
    _photo, _publication, copy = published_with_a_photo(personal_case, handler, moderator)
    with TestCase.captureOnCommitCallbacks(execute=True):
        personal_case.delete()
    assert not copy.image.storage.exists(copy.image.name)
    assert not copy.thumbnail.storage.exists(copy.thumbnail.name)


def test_nobody_adds_a_publication_by_hand(admin_client, workflow):
    url = reverse(f"{SNIPPET}:add")
    response = admin_client.get(url)
    assert response.status_code == 302  # Wagtail's "permission denied": back to the dashboard
    assert response["Location"] == reverse("wagtailadmin_home")
    assert not FeedbackPublication.objects.exists()
    listing = admin_client.get(reverse(f"{SNIPPET}:list")).content.decode()
    assert url not in listing


def test_list_counts_at_most_a_cap(client, page, published, monkeypatch):
    from palaute_plugin.public.published import CappedPaginator

    assert "1 julkaistu asia" in client.get(page.url + "julkiset/").content.decode()
    cache.clear()
    monkeypatch.setattr(CappedPaginator, "MAX_COUNTED", 1)
    assert "Yli 1 julkaistua asiaa" in client.get(page.url + "julkiset/").content.decode()


def test_geojson_query_count_does_not_grow(client, page, published, handler, moderator,
                                          streets):
    url = page.url + "julkiset/kartta.geojson?bbox=65.8,24.1,65.9,24.2"
    one, _content = list_queries(client, url)
    for number in range(5):
        case = FeedbackFactory(category=streets, message=f"Asia {number} kadulla.",
                               latitude=65.85 + number / 1000, longitude=24.15)
        approve(proposed(case, handler), moderator)
    six, content = list_queries(client, url)
    assert len(json.loads(content)["features"]) == 6
    assert six == one


def test_moderator_preview_shows_the_text_and_chosen_photos(client, workflow, handler,
                                                            moderator, personal_case):
    from .admin_fixtures import add_photo

    photo = add_photo(personal_case, 0)
    publication = proposed(personal_case, handler)
    publication.photo_ids = [photo.pk]
    publication.save_revision(user=handler)
    client.force_login(moderator)
    preview_url = reverse(f"{SNIPPET}:preview_on_edit", args=[publication.pk])
    form = {"title": publication.title, "text": publication.text, "public_answer": "",
            "category": publication.category_id, "kind": "feedback", "language": "fi",
            "latitude": "65.846", "longitude": "24.144", "photos": [photo.pk]}
    assert client.post(preview_url, form).json()["is_valid"]
    response = client.get(preview_url)
    content = response.content.decode()
    assert response.status_code == 200
    assert "[poistettu]" in content and "maija@example.com" not in content
    thumb = reverse(feedback_viewset.get_url_name("photo"), args=[photo.pk, "thumb"])
    assert thumb in content
    assert client.get(thumb).status_code == 200  # the moderator may open what they approve


def test_a_moderator_without_a_publication_cannot_open_a_cases_photos(client, moderator,
                                                                     personal_case):
    from .admin_fixtures import add_photo

    photo = add_photo(personal_case, 0)
    client.force_login(moderator)
    url = reverse(feedback_viewset.get_url_name("photo"), args=[photo.pk, "thumb"])
    assert client.get(url).status_code == 404


def test_no_admin_user_can_list_drafts_through_a_chooser(client, workflow, handler,
                                                         personal_case, streets):
    from django.urls import NoReverseMatch

    proposed(personal_case, handler)
    with pytest.raises(NoReverseMatch):
        reverse("wagtailsnippetchoosers_palaute_plugin_feedbackpublication:choose")
    editor = UserFactory(username="toimittaja")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    response = client.get("/admin/snippets/choose/palaute_plugin/feedbackpublication/")
    assert response.status_code == 404


def test_geojson_without_area_bounds_serves_the_world(client, page, published, settings):
    settings.PALAUTE_AREA_BOUNDS = None
    response = client.get(page.url + "julkiset/kartta.geojson")
    assert response.status_code == 200
    assert json.loads(response.content)["features"]


def test_handler_without_edit_permission_goes_back_to_the_case(client, personal_case,
                                                              streets):
    from .admin_fixtures import handler_of

    plain = handler_of(streets, username="ilman_oikeutta")
    client.force_login(plain)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(propose_url(personal_case))
    assert response["Location"] == detail_url(personal_case)
    publication = FeedbackPublication.objects.get(feedback=personal_case)
    content = client.get(detail_url(personal_case)).content.decode()
    assert edit_url(publication) not in content


# --- the list's cost on a cache miss ---------------------------------------------------

LIST_FILTERS = ["", "?status=new", "?category={streets}", "?kind=feedback",
                "?since=2000-01-01&until=2100-01-01", "?page=2",
                "?category=&kind=&status=&since=&until="]


@pytest.fixture
def content_page(page):
    from home.models import ContentPage

    return page.get_parent().add_child(instance=ContentPage(
        title="Asuminen", slug="asuminen", body=[("paragraph", "<p>Tekstiä.</p>")]))


def miss_queries(client, url):
    """The queries of ``url`` after a publication changed (its cached body is stale),
    with the categories in the cache as they are between category changes."""
    from palaute_plugin.publication.actions import bump_publications_version

    client.get(url)
    bump_publications_version()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured], response.content.decode()


def publish_many(category, count):
    from .open311_fixtures import publish_directly

    for number in range(count):
        publish_directly(FeedbackFactory(category=category), title=f"Asia numero {number}")


@pytest.mark.parametrize("query", LIST_FILTERS)
def test_every_list_filter_costs_a_content_page_and_one_query(client, page, content_page,
                                                              streets, query):
    url = page.url + "julkiset/" + query.format(streets=streets.pk)
    publish_many(streets, 21)  # two pages
    client.get(content_page.url)  # the site settings row is made on a site's first request
    with CaptureQueriesContext(connection) as content_queries:
        client.get(content_page.url)
    few, _content = miss_queries(client, url)
    publish_many(streets, 25)  # three pages
    many, content = miss_queries(client, url)
    assert content.count("<h3>") == 20
    # The page's rows with the capped count as one more column.
    assert len(many) == len(few) == len(content_queries) + 1
    # The filter's topics come from the categories' cache, not a query of their own.
    assert not [sql for sql in many if 'FROM "palaute_plugin_feedbackcategory"' in sql]


def test_a_page_past_the_last_is_the_last_page(client, page, streets):
    publish_many(streets, 21)
    for asked in ("3", "0", "99999"):
        content = client.get(page.url + f"julkiset/?page={asked}").content.decode()
        assert "Sivu 2 / 2" in content and content.count("<h3>") == 1
    # Not a number: page 1, under whose cache key (list_query_key) it is kept.
    for asked in ("-1", "x", "%2B2"):  # %2B: a plus sign (a bare + is a space)
        cache.clear()
        content = client.get(page.url + f"julkiset/?page={asked}").content.decode()
        assert "Sivu 1 / 2" in content and content.count("<h3>") == 20


def test_the_form_with_nothing_chosen_is_the_submitted_empty_form(client, page, published):
    url = page.url + "julkiset/"
    fresh = client.get(url).content  # rendered once per categories version
    cache.clear()
    assert client.get(url + "?category=&kind=&status=&since=&until=").content == fresh
    cache.clear()
    assert client.get(url).content == fresh


def test_renaming_or_adding_a_category_refreshes_the_cached_list(client, page, published,
                                                                 streets):
    from .factories import CategoryFactory

    url = page.url + "julkiset/"
    before = client.get(url).content.decode()
    assert f"{streets.name_fi} · Uusi" in before and "Puistot" not in before
    streets.name_fi = "Katuvalot"
    streets.save()
    CategoryFactory(name_fi="Puistot")
    content = client.get(url).content.decode()
    assert "Katuvalot · Uusi" in content and ">Puistot</option>" in content


def test_a_topic_reads_as_its_cache_key_does(client, page, published):
    from django import forms
    from django.utils import translation

    url = page.url + "julkiset/"
    padded = client.get(url + f"?category=0{published.category_id}")
    assert padded.status_code == 200 and published.title in padded.content.decode()
    unknown = client.get(url + "?category=999999")
    with translation.override("fi"):
        message = str(forms.ModelChoiceField.default_error_messages["invalid_choice"])
    assert unknown.status_code == 400 and message in unknown.content.decode()


def test_pages_show_the_records_newest_first_without_gaps(client, page, streets):
    import re
    from datetime import timedelta

    from django.utils import timezone

    from .open311_fixtures import publish_directly

    now = timezone.now()
    for number in range(45):
        publication = publish_directly(FeedbackFactory(category=streets),
                                       title=f"Asia numero {number}")
        # Two records share each time: the id orders them.
        FeedbackPublication.objects.filter(pk=publication.pk).update(
            first_published_at=now - timedelta(hours=number // 2))
    newest_first = [f"Asia numero {number}" for number in
                    sorted(range(45), key=lambda number: (number // 2, -number))]
    shown = []
    for number in (1, 2, 3):
        content = client.get(page.url + f"julkiset/?page={number}").content.decode()
        shown += re.findall(r"<h3><a [^>]*>([^<]*)</a></h3>", content)
    assert shown == newest_first


@pytest.mark.parametrize(("query", "expected"), [
    ("?category=%C2%B2", 400), ("?page=%C2%B2", 200), ("?page=99999999999999999999999", 200),
    ("?category=99999999999999999999999", 400), ("?category=%D9%A1%D9%A2", 400)])
def test_crafted_numbers_in_the_public_list_are_no_server_error(client, page, query, expected):
    """"²" passes ``str.isdigit`` and ``int`` refuses it; a number past 64 bits
    overflows the database: an error message or the first page, never a 500."""
    response = client.get(page.url + "julkiset/" + query)
    assert response.status_code == expected
    assert "<h1>" in response.content.decode()


def test_the_page_a_resident_came_from_is_read_only_from_ascii_digits(client, page):
    for value in ("%C2%B2", "99999999999999999999999", "%D9%A1%D9%A2"):
        assert client.get(f"{page.url}?from={value}").status_code == 200, value


def test_the_listings_say_live_or_draft_in_the_admin_language(
        workflow, handler, moderator, personal_case, client):
    """Wagtail's live/draft tag: a "live" column showed an untranslated "True"/"False"."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(moderator)
    profile.preferred_language = "fi"
    profile.save()
    approve(proposed(personal_case, handler), moderator)
    client.force_login(moderator)
    listing = client.get(reverse(f"{SNIPPET}:list")).content.decode()
    assert re.search(r"</svg>\s*Kyllä\s*</td>", listing)
    assert "True" not in listing


def test_the_lists_page_links_carry_its_filters_and_nothing_else(client, page, streets):
    """The list's page is cached for everyone with the same filters: a tracking id or any
    other parameter of the first visitor's address must not be in its links."""
    publish_many(streets, 21)
    html = client.get(page.url + f"julkiset/?category={streets.pk}&fbclid=seuranta"
                      ).content.decode()
    assert f"?category={streets.pk}&amp;page=2" in html
    assert "seuranta" not in html


def test_a_records_own_words_carry_its_language_and_the_pages_labels_the_pages(published):
    """On an English page the labels ("Reference", "The city's answer") are English: only
    the record's title, text and answer are marked Finnish (the whole article was, so a
    screen reader read the English labels as Finnish)."""
    from django.template.loader import render_to_string
    from django.utils import translation

    published.public_answer = "Valo korjataan."
    with translation.override("en"):
        html = render_to_string("palaute_plugin/public/publication_body.html",
                                {"publication": published, "photos": []})
    assert '<article class="publication">' in html
    assert f'<h1 lang="fi">{published.title}</h1>' in html
    assert '<div class="publication__text" lang="fi">' in html
    assert '<div lang="fi"><p>Valo korjataan.</p></div>' in html
    assert "<dt>Reference</dt>" in html


def test_the_snippet_types_count_only_the_records_a_handler_sees(
        workflow, client, handler, housing_handler, personal_case, housing):
    """Acceptance test 2026-12-03: /admin/snippets/ read "Publications 8" to a handler
    whose list held 5."""
    proposed(personal_case, handler)
    proposed(FeedbackFactory(category=housing, message="Asunnossa hometta."), housing_handler)
    client.force_login(handler)
    soup = BeautifulSoup(client.get("/admin/snippets/").content, "html.parser")
    rows = {" ".join(tr.find_all("td")[0].get_text().split()):
            tr.find_all("td")[1].get_text().strip() for tr in soup.select("table tbody tr")}
    assert rows["Feedback publications"] == "1"


def test_unpublishing_tells_the_proposer_and_the_case_screen_says_so(
        workflow, client, moderator, handler, personal_case):
    """Acceptance test 2026-12-03: a moderator's unpublishing told nobody, and the case
    screen then said "Changes are saved as a draft: submit them to the moderators"."""
    publication = approve(proposed(personal_case, handler), moderator)
    mail.outbox.clear()
    client.force_login(moderator)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse(f"{SNIPPET}:unpublish", args=[publication.pk]))
    assert response.status_code == 302
    publication.refresh_from_db()
    assert not publication.live
    (email,) = [m for m in mail.outbox if m.to == [handler.email]]
    assert email.subject == f"{personal_case.reference} is no longer public"
    assert "unpublished the public record" in email.body
    client.force_login(handler)
    screen = client.get(detail_url(personal_case)).content.decode()
    assert "It was taken off the public pages" in screen
    assert "Changes are saved as a draft" not in screen
