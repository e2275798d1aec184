"""The Open311 GeoReport v2 read endpoints: what is public, filters, errors, query counts."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from palaute_plugin.models import Feedback

from .factories import CategoryFactory, feedback_page
from .open311_fixtures import API, case, publish_directly

pytestmark = pytest.mark.django_db


def get_json(client, path, expected=200, **params):
    response = client.get(API + path + ".json", params)
    assert response.status_code == expected, response.content
    assert response["Content-Type"].startswith("application/json")
    return response, json.loads(response.content)


def get_xml(client, path, expected=200, **params):
    response = client.get(API + path + ".xml", params)
    assert response.status_code == expected, response.content
    assert response["Content-Type"].startswith("text/xml")
    return response, ET.fromstring(response.content)  # noqa: S314 (our own answer)


def assert_error(client, path, expected, **params):
    _response, body = get_json(client, path, expected, **params)
    assert len(body) == 1
    assert body[0]["code"] == expected
    assert body[0]["description"]
    _response, root = get_xml(client, path, expected, **params)
    assert root.tag == "errors"
    assert root.find("error/code").text == str(expected)
    assert root.find("error/description").text
    return body[0]["description"]


# --- discovery and services -----------------------------------------------------------


def test_discovery_names_the_endpoint_and_formats(client):
    _response, body = get_json(client, "discovery")
    endpoint = body["endpoints"][0]
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    _response, root = get_xml(client, "discovery")
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml", "application/json"]


def test_services_lists_active_city_categories_with_group_and_metadata(client, streets, housing,
                                                                        danger):
    group = CategoryFactory(name_fi="Liikenne", name_en="Traffic", service_code="liikenne")
    streets.parent = group
    streets.save()
    CategoryFactory(service_code="inactive", active=False)
    _response, body = get_json(client, "services", locale="en")
    by_code = {item["service_code"]: item for item in body}
    assert "inactive" not in by_code
    assert by_code[streets.service_code]["group"] == "Traffic"
    assert by_code[streets.service_code]["service_name"] == "Street lighting"
    assert by_code[streets.service_code]["metadata"] is True
    assert by_code[housing.service_code]["metadata"] is False
    assert by_code[housing.service_code]["type"] == "realtime"
    assert "liikenne" not in by_code  # a group is a heading, as on the form
    _response, root = get_xml(client, "services")
    assert root.tag == "services"
    codes = [service.find("service_code").text for service in root.findall("service")]
    assert streets.service_code in codes
    metadata = {service.find("service_code").text: service.find("metadata").text
                for service in root.findall("service")}
    assert metadata[streets.service_code] == "true"
    assert metadata[housing.service_code] == "false"


def test_services_in_swedish(client, streets):
    _response, body = get_json(client, "services", locale="sv")
    assert body[0]["service_name"] == "Gatubelysning"
    # Another language is a preference the site cannot meet: Finnish, not a 400.
    response, body = get_json(client, "services", locale="de")
    assert body[0]["service_name"] == streets.name_fi
    assert response["Content-Language"] == "fi"


# --- locale ---------------------------------------------------------------------------

#: ``locale`` values naming no language of the site: a client's device locale (de_DE),
#: other languages and malformed values (long garbage, NUL bytes, a name spelt out).
FOREIGN_LOCALES = ["de", "de_DE", "fr", "pt-BR", "zh-Hant-TW", "DE", "x" * 500, "\x00",
                   "\x00sv", "sv" * 250, "svenska", "e", "🙂", "<script>", "%00", "english"]


@pytest.mark.parametrize("locale", FOREIGN_LOCALES)
def test_a_locale_of_no_site_language_is_answered_in_the_default_language(
        client, streets, published_case, locale):
    """An integrator's client sent its device locale (``de``) and every answer was
    ``400 locale on fi, sv tai en.``: GeoReport v2's locale is a preference."""
    response, body = get_json(client, "services", locale=locale)
    assert body[0]["service_name"] == streets.name_fi
    assert response["Content-Language"] == "fi"
    response, root = get_xml(client, "services", locale=locale)
    assert root.find("service/service_name").text == streets.name_fi
    assert response["Content-Language"] == "fi"
    response, body = get_json(client, "requests", locale=locale)
    assert body[0]["service_name"] == streets.name_fi
    assert response["Content-Language"] == "fi"
    response, body = get_json(client, f"requests/{published_case.reference}", locale=locale)
    assert body[0]["service_request_id"] == published_case.reference
    assert response["Content-Language"] == "fi"


@pytest.mark.parametrize(("locale", "language", "name"), [
    ("fi", "fi", None), ("sv", "sv", "Gatubelysning"), ("en", "en", "Street lighting"),
    ("sv_FI", "sv", "Gatubelysning"), ("sv-FI", "sv", "Gatubelysning"),
    ("en-GB", "en", "Street lighting"), ("en_US", "en", "Street lighting"),
    ("EN", "en", "Street lighting"), ("fi_FI.UTF-8", "fi", None),
    ("sv-Latn-FI", "sv", "Gatubelysning"),
])
def test_a_site_language_and_its_regional_forms_choose_the_language(
        client, streets, published_case, locale, language, name):
    name = name or streets.name_fi
    response, body = get_json(client, "services", locale=locale)
    assert body[0]["service_name"] == name
    assert response["Content-Language"] == language
    response, body = get_json(client, "requests", locale=locale)
    assert body[0]["service_name"] == name
    assert response["Content-Language"] == language


def test_errors_are_in_the_default_language_when_the_locale_is_foreign(client, streets):
    description = assert_error(client, "requests", 400, locale="de_DE", status="pending")
    assert description == "status on joko open tai closed."
    response, _body = get_json(client, "requests", 400, locale="\x00" * 50, status="pending")
    assert response["Content-Language"] == "fi"
    response = client.get(API + "request.json", {"locale": "fr"})  # no such address
    assert response.status_code == 404
    assert response["Content-Language"] == "fi"
    assert json.loads(response.content)[0]["code"] == 404


def test_the_locale_reader_never_refuses():
    from django.http import QueryDict

    from palaute_plugin.open311 import params

    assert params.language(QueryDict("locale=de_DE")) is None
    assert params.language(QueryDict("locale=%00%00")) is None
    assert params.language(QueryDict("locale=" + "%FF" * 500)) is None
    assert params.language(QueryDict("")) is None
    assert params.language(QueryDict("locale=")) is None
    assert params.language(QueryDict("locale=sv_FI")) == "sv"
    assert params.language(QueryDict("locale=%20en-GB")) == "en"


def test_service_definition_has_the_attributes(client, streets, danger):
    _response, body = get_json(client, f"services/{streets.service_code}", locale="en")
    assert body["service_code"] == streets.service_code
    attribute = body["attributes"][0]
    assert attribute["code"] == "dangerous"
    assert attribute["description"] == "Is it dangerous?"
    assert attribute["required"] is True
    assert attribute["datatype"] == "singlevaluelist"
    assert attribute["values"] == [{"key": "yes", "name": "Kyllä"}, {"key": "no", "name": "Ei"}]
    _response, root = get_xml(client, f"services/{streets.service_code}")
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key").text == "yes"


def test_unknown_service_code_is_404(client, streets):
    assert_error(client, "services/no-such-code", 404)


# --- requests: what is public ---------------------------------------------------------


@pytest.fixture
def published_case(streets):
    reported = case(streets, latitude=65.8463, longitude=24.1441,
                    message="Maija tässä, 040 123 4567: katuvalo ei pala.",
                    contact_name="Maija Meikäläinen")
    publish_directly(reported, text="Katuvalo ei pala.", answer="Korjataan viikolla 49.")
    return reported


def test_list_shows_the_public_record_only(client, published_case):
    _response, body = get_json(client, "requests")
    assert len(body) == 1
    item = body[0]
    assert item["service_request_id"] == published_case.reference
    assert item["description"] == "Katuvalo ei pala."
    assert item["status_notes"] == "Korjataan viikolla 49."
    assert item["status"] == "open"
    assert item["lat"] == 65.8463
    assert item["long"] == 24.1441
    assert "040" not in json.dumps(body)
    assert "Maija" not in json.dumps(body)
    assert item["requested_datetime"].endswith("+02:00")
    assert "detailed_status" not in item


def test_unpublished_and_rejected_cases_are_not_listed(client, streets, published_case):
    case(streets, message="Yksityinen viesti, ei julkaistu.")
    _response, body = get_json(client, "requests")
    assert [item["service_request_id"] for item in body] == [published_case.reference]


def test_unpublished_case_by_id_shows_only_its_id_status_and_dates(client, streets):
    private = case(streets, message="Salainen viesti joka ei ole julkinen.")
    _response, body = get_json(client, f"requests/{private.reference}", extensions="true")
    assert set(body[0]) == {"service_request_id", "status", "service_code",
                            "requested_datetime", "updated_datetime", "expected_datetime",
                            "detailed_status"}
    assert body[0]["service_code"] == streets.service_code
    assert "Salainen" not in json.dumps(body)
    _response, listed = get_json(client, "requests", service_request_id=private.reference)
    assert listed[0]["service_request_id"] == private.reference
    assert "description" not in listed[0]


def test_a_case_its_resident_asked_not_to_publish_is_the_same_404_as_an_unknown_one(
        client, streets, housing):
    """Anyone walking the sequential references learnt that a case of a sensitive topic
    (housing counselling) came in, and when, though its resident ticked "do not publish"
    (acceptance test, 2026-12-03)."""
    private = case(housing, publish_consent=False)
    unknown = assert_error(client, "requests/2000-99999", 404)
    assert assert_error(client, f"requests/{private.reference}", 404) == unknown
    _response, body = get_json(client, "requests", extensions="true",
                               service_request_id=f"{private.reference},2000-99999")
    assert body == []


def test_an_unpublished_case_of_a_sensitive_service_is_the_same_404_as_an_unknown_one(
        client, housing):
    """Security review 2026-12-03: walking the references showed when cases came in to
    housing counselling (answers approved before they go out) though none was published."""
    housing.answer_approvers = Group.objects.create(name="Asumisneuvonnan hyväksyjät")
    housing.save()
    sensitive = case(housing)
    unknown = assert_error(client, "requests/2000-99999", 404)
    assert assert_error(client, f"requests/{sensitive.reference}", 404) == unknown
    _response, body = get_json(client, "requests", service_request_id=sensitive.reference)
    assert body == []


def test_rejected_case_is_the_same_404_as_an_unknown_one(client, streets, published_case):
    rejected = case(streets, status=Feedback.Status.REJECTED)
    unknown = assert_error(client, "requests/2000-99999", 404)
    assert assert_error(client, f"requests/{rejected.reference}", 404) == unknown
    published_case.status = Feedback.Status.REJECTED
    published_case.save()
    published_case.publication.shown_status = Feedback.Status.REJECTED
    published_case.publication.save()
    assert assert_error(client, f"requests/{published_case.reference}", 404) == unknown
    _response, body = get_json(client, "requests",
                               service_request_id=f"{rejected.reference},2000-99999")
    assert body == []


def test_one_request_is_a_one_element_list(client, published_case):
    _response, body = get_json(client, f"requests/{published_case.reference}")
    assert len(body) == 1
    assert body[0]["description"] == "Katuvalo ei pala."
    _response, root = get_xml(client, f"requests/{published_case.reference}")
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text == published_case.reference


def test_extensions_add_detailed_status_title_and_media(client, workflow, handler, moderator,
                                                        personal_case):
    from .test_publication_views import published_with_a_photo

    feedback_page()
    _photo, publication, copy = published_with_a_photo(personal_case, handler, moderator)
    _response, body = get_json(client, "requests", extensions="true")
    item = body[0]
    assert item["detailed_status"] == "NEW"
    assert item["title"] == publication.title
    url = f"http://testserver/palaute/julkiset/kuvat/{copy.token}/full/"
    assert item["media"] == [url]
    assert item["media_url"] == url
    assert client.get(url).status_code == 200
    _response, root = get_xml(client, "requests", extensions="true")
    assert root.find("request/media/media_url").text == url


def test_xml_breaking_text_is_escaped(client, streets):
    reported = case(streets)
    publish_directly(reported, text='<b>"&" ja </request>\x01 loppu</b>', title="<script>")
    response, root = get_xml(client, "requests", extensions="true")
    assert root.find("request/description").text == '<b>"&" ja </request>\ufffd loppu</b>'
    assert root.find("request/title").text == "<script>"
    assert b"<script>" not in response.content
    _response, body = get_json(client, "requests")
    assert body[0]["description"] == '<b>"&" ja </request>\x01 loppu</b>'


# --- requests: expected_datetime ------------------------------------------------------

W3C_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def expected_of(client, reference, **params):
    """``expected_datetime`` of ``reference`` as the JSON and the XML detail show it."""
    _response, body = get_json(client, f"requests/{reference}", **params)
    _response, root = get_xml(client, f"requests/{reference}", **params)
    return body[0]["expected_datetime"], root.find("request/expected_datetime").text


def test_a_new_case_is_expected_by_its_due_time(client, streets):
    """An integrator found expected_datetime always null, though a new case of a category
    with expected response days has its due time (``due_at``)."""
    published, private = case(streets), case(streets)
    publish_directly(published)
    for reported in (published, private):
        reported.refresh_from_db()
        assert reported.due_at == streets.due_time(reported.created_at)
        json_value, xml_value = expected_of(client, reported.reference)
        assert json_value == xml_value
        assert W3C_WITH_OFFSET.match(json_value)
        shown = datetime.fromisoformat(json_value)
        assert shown == reported.due_at.replace(microsecond=0)
        assert shown.utcoffset() == timezone.localtime(reported.due_at).utcoffset()
        assert shown - reported.created_at > timedelta(days=14)
    _response, body = get_json(client, "requests",
                               service_request_id=f"{published.reference},{private.reference}")
    assert {item["service_request_id"]: "description" in item for item in body} == {
        published.reference: True, private.reference: False}
    assert [item["expected_datetime"] for item in body] == [
        expected_of(client, published.reference)[0], expected_of(client, private.reference)[0]]


def test_expected_datetime_is_the_due_time_in_the_sites_time_zone(client, streets):
    """In the W3C format with offset of ``requested_datetime``, winter and summer."""
    winter, summer, private = case(streets, days_ago=3), case(streets, days_ago=2), case(streets)
    publish_directly(winter)
    publish_directly(summer)
    Feedback.objects.filter(pk=winter.pk).update(
        due_at=datetime(2027, 1, 15, 14, 0, tzinfo=UTC))
    Feedback.objects.filter(pk__in=[summer.pk, private.pk]).update(
        due_at=datetime(2027, 6, 15, 13, 0, 30, tzinfo=UTC))
    assert expected_of(client, winter.reference) == ("2027-01-15T16:00:00+02:00",) * 2
    assert expected_of(client, summer.reference) == ("2027-06-15T16:00:30+03:00",) * 2
    assert expected_of(client, private.reference, extensions="true") == (
        "2027-06-15T16:00:30+03:00",) * 2
    _response, body = get_json(client, "requests")
    assert [(item["service_request_id"], item["expected_datetime"]) for item in body] == [
        (summer.reference, "2027-06-15T16:00:30+03:00"),
        (winter.reference, "2027-01-15T16:00:00+02:00")]
    _response, root = get_xml(client, "requests", extensions="true")
    assert [element.text for element in root.findall("request/expected_datetime")] == [
        "2027-06-15T16:00:30+03:00", "2027-01-15T16:00:00+02:00"]


def test_a_work_listed_case_is_expected_by_the_day_staff_gave(client, streets):
    """The day the work is expected to be done by (the status page's "done by") says
    better than the response's due time when the request will be fulfilled."""
    listed = case(streets, status=Feedback.Status.WORK_LIST, expected_date=date(2027, 3, 31))
    publish_directly(listed)
    assert expected_of(client, listed.reference) == ("2027-03-31T23:59:59+03:00",) * 2


def test_a_case_without_a_due_time_has_no_expected_datetime(client, streets):
    reported = case(streets)
    Feedback.objects.filter(pk=reported.pk).update(due_at=None)
    _response, body = get_json(client, f"requests/{reported.reference}")
    assert body[0]["expected_datetime"] is None
    _response, root = get_xml(client, f"requests/{reported.reference}")
    assert root.find("request/expected_datetime").text is None


# --- requests: filters ----------------------------------------------------------------


def test_filters_by_status_service_code_and_ids(client, streets, housing):
    open_case = case(streets, days_ago=1)
    closed_case = case(housing, days_ago=2, status=Feedback.Status.RESOLVED)
    for reported in (open_case, closed_case):
        publish_directly(reported)

    def ids(**params):
        return [item["service_request_id"] for item in get_json(client, "requests", **params)[1]]

    assert ids(status="open") == [open_case.reference]
    assert ids(status="closed") == [closed_case.reference]
    assert ids(status="open,closed") == [open_case.reference, closed_case.reference]
    assert ids(service_code=f"{housing.service_code},nothing") == [closed_case.reference]
    assert ids(service_request_id=f"{closed_case.reference}, {open_case.reference}") == [
        open_case.reference, closed_case.reference]


def test_default_window_is_the_last_90_days(client, streets):
    recent, old = case(streets, days_ago=10), case(streets, days_ago=100)
    for reported in (recent, old):
        publish_directly(reported)
    _response, body = get_json(client, "requests")
    assert [item["service_request_id"] for item in body] == [recent.reference]
    start = (timezone.now() - timedelta(days=120)).isoformat()
    end = (timezone.now() - timedelta(days=50)).isoformat()
    _response, body = get_json(client, "requests", start_date=start, end_date=end)
    assert [item["service_request_id"] for item in body] == [old.reference]
    day = (timezone.localdate() - timedelta(days=110)).isoformat()
    _response, body = get_json(client, "requests", start_date=day)
    assert [item["service_request_id"] for item in body] == [old.reference]


def test_pages_and_result_count(client, streets):
    cases = [case(streets, days_ago=day) for day in range(1, 6)]
    for reported in cases:
        publish_directly(reported)
    response, body = get_json(client, "requests", page=2, page_size=2)
    assert response["X-Result-Count"] == "5"
    assert [item["service_request_id"] for item in body] == [c.reference for c in cases[2:4]]


def test_bbox_and_radius(client, streets):
    near = case(streets, latitude=65.8463, longitude=24.1441)
    far = case(streets, latitude=65.9000, longitude=24.1441)  # 6 km north
    for reported in (near, far):
        publish_directly(reported)

    def ids(**params):
        return [item["service_request_id"] for item in get_json(client, "requests", **params)[1]]

    assert ids(bbox="65.84,24.14,65.85,24.15") == [near.reference]
    assert ids(lat="65.8463", long="24.1441", radius="1000") == [near.reference]
    response, _body = get_json(client, "requests", lat="65.8463", long="24.1441", radius="7000")
    assert response["X-Result-Count"] == "2"


@pytest.mark.parametrize("params", [
    {"start_date": "2026-01-01T00:00:00+02:00", "end_date": "2026-06-01T00:00:00+02:00"},
    {"start_date": "2026-06-01T00:00:00+02:00", "end_date": "2026-05-01T00:00:00+02:00"},
    {"start_date": "eilen"},
    {"page_size": "1001"},
    {"page_size": "0"},
    {"page": "-1"},
    {"service_request_id": "2026-00001,,2026-00002"},
    {"service_request_id": "2026-00001;DROP"},
    {"service_code": "a b"},
    {"status": "pending"},
    {"bbox": "1,2,3"},
    {"bbox": "66,24,65,25"},
    {"lat": "95", "long": "24", "radius": "100"},
    {"lat": "65.8", "long": "nan"},
    {"lat": "65.8", "long": "24.1", "radius": "1000000"},
    # Crafted: digits that are not ASCII, past 64 bits, dates whose window overflows.
    {"page": "\u00b2"},
    {"page": "99999999999999999999"},
    {"page_size": "\u0661\u0662"},
    {"lat": "65.8", "long": "24.1", "radius": "\u00b2"},
    {"start_date": "9999-12-31T23:59:59Z"},
    {"start_date": "0001-01-01"},
    {"end_date": "0001-01-02"},
    {"end_date": "9999-12-31"},
])
def test_bad_query_is_400_in_the_error_shape(client, params):
    assert_error(client, "requests", 400, **params)


def test_unknown_request_id_and_token_are_404(client):
    assert_error(client, "requests/2026-12345", 404)
    assert_error(client, "requests/<script>", 404)
    assert_error(client, "tokens/nosuchtoken", 404)


def test_other_methods_are_refused_and_told_what_is_allowed(client):
    response = client.delete(API + "requests.json")
    assert response.status_code == 405
    assert json.loads(response.content)[0]["code"] == 405
    assert response["Allow"] == "GET, POST, HEAD"
    response = client.options(API + "services.json")
    assert (response.status_code, response["Allow"]) == (405, "GET, HEAD")


def test_head_is_answered_where_get_is(client):
    """A link checker's or a monitor's HEAD was a 405."""
    for path in ("discovery.json", "services.json", "requests.json"):
        response = client.head(API + path)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("application/json")


# --- cost -----------------------------------------------------------------------------


def list_queries(client, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(API + "requests.json", params)
    assert response.status_code == 200
    return len(captured), len(json.loads(response.content))


def test_list_query_count_is_constant(client, workflow, handler, moderator, streets):
    from django.core.cache import cache

    from .admin_fixtures import add_photo

    feedback_page()

    def publish_with_photo():
        reported = case(streets)
        publication = publish_directly(reported)
        photo = add_photo(reported)
        publication.public_photos.create(source=photo, image=photo.image.name,
                                         thumbnail=photo.thumbnail.name)

    publish_with_photo()
    list_queries(client, extensions="true")  # warm Wagtail's site root paths
    cache.clear()
    one = list_queries(client, extensions="true")
    counted = list_queries(client, extensions="true")  # the total is reused
    for _ in range(4):
        publish_with_photo()
    cache.clear()
    assert list_queries(client, extensions="true") == (one[0], 5)
    assert list_queries(client, extensions="true") == (counted[0], 5)
    assert list_queries(client) == (counted[0], 5)
    # The rows, their photos, the count, the page's URL, and Wagtail's site paths when
    # they are not cached; a reused total spares the count.
    assert one[0] <= 9
    assert counted[0] < one[0]


def test_the_total_follows_publishing(client, streets):
    from palaute_plugin.publication.actions import bump_publications_version

    publish_directly(case(streets))
    assert get_json(client, "requests")[0]["X-Result-Count"] == "1"
    publish_directly(case(streets))
    bump_publications_version()  # as publishing, unpublishing and status changes do
    assert get_json(client, "requests")[0]["X-Result-Count"] == "2"
    assert get_json(client, "requests", status="closed")[0]["X-Result-Count"] == "0"


def test_a_page_holds_100_unless_more_are_asked_for(client, streets):
    from palaute_plugin.open311 import params

    assert params.request_query({}).page_size == params.DEFAULT_PAGE_SIZE == 100
    assert params.request_query({"page_size": "1000"}).page_size == 1000


# --- reads per client address ----------------------------------------------------------------


@pytest.mark.parametrize(("path", "status"), [
    ("services", 200), ("requests", 200), ("requests/2026-00001", 404), ("discovery", 200)])
def test_reads_are_rate_limited_per_client_in_the_error_shape(client, settings, streets, path,
                                                              status):
    settings.PALAUTE_OPEN311_READ_RATE_LIMIT = "2/m"
    for _ in range(2):
        assert client.get(API + path + ".json").status_code == status
    response, body = get_json(client, path, 429)
    assert body == [{"code": 429, "description": "Liian monta pyyntöä osoitteestasi. "
                                                 "Yritä myöhemmin uudelleen."}]
    assert 1 <= int(response["Retry-After"]) <= 60
    _response, root = get_xml(client, path, 429, locale="en")
    assert root.find("error/description").text == (
        "Too many requests from your address. Try again later.")
    # Another client address has its own count.
    other = client.get(API + "services.json", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


def test_read_rate_limit_setting_is_checked(settings):
    from palaute_plugin.checks import check_other_settings

    settings.PALAUTE_OPEN311_READ_RATE_LIMIT = "lots"
    assert "PALAUTE_OPEN311_READ_RATE_LIMIT" in " ".join(str(e.msg) for e in check_other_settings(None))


@pytest.mark.parametrize("path", ["services", "requests", "requests/2026-00001"])
def test_api_key_in_the_query_string_is_refused(client, streets, path):
    _response, body = get_json(client, path, 400, api_key="salainen", locale="en")
    assert "Send api_key in the POST body" in body[0]["description"]
