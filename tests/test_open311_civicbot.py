"""A third-party Open311 client, ``civicbot`` (PyPI), used unmodified against a live server.

civicbot's ``Open311Client`` reads services, a service definition, requests (with its
filters), one request and a token, and files a request (``dry_run=False`` with its
``confirm="SEND"``); discovery is read with its own HTTP transport.
"""

import pytest
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint

from palaute_plugin.models import Feedback
from palaute_plugin.open311.models import ApiSubmission

from .browser.conftest import ensure_page_tree_root
from .factories import feedback_page
from .open311_fixtures import case, new_key, publish_directly

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(live_server):
    ensure_page_tree_root()  # a transactional test before this one flushed it
    feedback_page()
    endpoint = Endpoint(id="tornio", name="Tornio", base_url=f"{live_server.url}/open311/v2",
                        write=True)
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0))
    return Open311Client(endpoint, transport=transport, jurisdiction_id="tornio.fi")


def test_civicbot_reads_and_files_requests(api, streets, danger):
    published = case(streets, days_ago=2, latitude=65.85, longitude=24.14)
    publish_directly(published, text="Katuvalo ei pala.", answer="Korjattu.")
    discovery = api.http.get_json(api.endpoint.base_url + "/discovery.json")
    assert discovery["endpoints"][0]["url"] == api.endpoint.base_url + "/"

    services = api.list_services()
    assert [service["service_code"] for service in services] == [streets.service_code]
    definition = api.get_service_definition(streets.service_code)
    assert definition["attributes"][0]["code"] == "dangerous"

    _key, secret = new_key(name="civicbot")
    filed = api.create_request(
        streets.service_code, dry_run=False, confirm="SEND", api_key=secret,
        validate_remote=True, lat=65.846, lng=24.144, attributes={"dangerous": "yes"},
        description="Katuvalo vilkkuu Hallituskadulla koko yön.", email="maija@example.com",
        first_name="Maija", media_url="https://example.com/kuva.jpg")
    answer = filed.response[0]
    new_case = Feedback.objects.get(reference=answer["service_request_id"])
    assert new_case.channel == Feedback.Channel.API
    assert ApiSubmission.objects.get(feedback=new_case).attributes == {"dangerous": "yes"}
    assert answer["service_notice"]

    listed = api.list_requests(status="open", service_code=streets.service_code, page_size=10)
    assert [item["service_request_id"] for item in listed] == [published.reference]
    both = api.list_requests(service_request_ids=[published.reference, new_case.reference])
    assert {item["service_request_id"] for item in both} == {published.reference,
                                                              new_case.reference}
    unpublished = api.get_request(new_case.reference)
    assert "description" not in unpublished
    assert api.get_request(published.reference)["status_notes"] == "Korjattu."
    token = ApiSubmission.objects.get(feedback=new_case).token
    assert api.get_token(token) == [{"service_request_id": new_case.reference, "token": token}]


def test_civicbot_sees_the_errors(api, streets):
    _key, secret = new_key(name="civicbot")
    with pytest.raises(HttpError) as refused:
        api.create_request(streets.service_code, dry_run=False, confirm="SEND",
                           api_key="väärä", lat=65.846, lng=24.144,
                           description="Katuvalo vilkkuu Hallituskadulla.")
    assert refused.value.status == 403
    with pytest.raises(HttpError) as unknown:
        api.get_service_definition("no-such-service")
    assert unknown.value.status == 404
    with pytest.raises(HttpError) as bad:
        api.list_requests(start_date="2026-01-01T00:00:00+02:00",
                          end_date="2026-12-01T00:00:00+02:00")
    assert bad.value.status == 400
    assert '"code": 400' in bad.value.body
