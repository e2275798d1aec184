"""Every answer of the API, JSON and XML, against the GeoReport v2 schemas in
``tests/open311_schemas/`` (JSON Schema and XSD transcribed from the specification)."""

import io
import json
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from django.test import TestCase
from PIL import Image

from .factories import feedback_page
from .open311_fixtures import API, case, new_key, publish_directly

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "open311_schemas"
JSON_SCHEMA = json.loads((SCHEMAS / "georeport-v2.schema.json").read_text())
XSD = xmlschema.XMLSchema(str(SCHEMAS / "georeport-v2.xsd"))


def assert_valid_json(content, definition):
    schema = {**JSON_SCHEMA, "$ref": f"#/$defs/{definition}"}
    jsonschema.validate(json.loads(content), schema)


def assert_valid_xml(content, root):
    XSD.validate(io.BytesIO(content))
    assert XSD.to_dict(io.BytesIO(content)) is not None
    assert content.startswith(b"<?xml")
    assert f"<{root}".encode() in content


@pytest.fixture
def world(workflow, handler, moderator, personal_case, streets, danger):
    """A published case with a photo and an answer, an unpublished one, a closed one."""
    from .test_publication_views import published_with_a_photo

    feedback_page()
    _photo, publication, _copy = published_with_a_photo(personal_case, handler, moderator)
    publication.public_answer = 'Korjataan <pian> & "heti"'
    publication.save()
    closed = case(streets, days_ago=3, status="resolved", latitude=None, longitude=None)
    publish_directly(closed, text="Ilman paikkaa \x0b ja ohjausmerkki")
    return {"published": personal_case, "unpublished": case(streets, days_ago=2),
            "closed": closed}


READS = [
    ("discovery", {}, "discovery", "discovery"),
    ("services", {}, "services", "services"),
    ("services", {"locale": "sv"}, "services", "services"),
    ("requests", {}, "service_requests", "service_requests"),
    ("requests", {"extensions": "true", "locale": "en"}, "service_requests",
     "service_requests"),
    ("requests", {"status": "closed", "page_size": "1"}, "service_requests",
     "service_requests"),
    ("requests", {"bbox": "65,24,66,25"}, "service_requests", "service_requests"),
    ("requests", {"page_size": "5000"}, "errors", "errors"),
    ("services/nothing", {}, "errors", "errors"),
]


@pytest.mark.parametrize(("path", "params", "definition", "root"), READS)
def test_read_answers_match_the_schemas(client, world, path, params, definition, root):
    for fmt, check in (("json", assert_valid_json), ("xml", assert_valid_xml)):
        response = client.get(f"{API}{path}.{fmt}", params)
        check(response.content, definition if fmt == "json" else root)


def test_by_id_answers_match_the_schemas(client, world, streets):
    ids = ",".join(world[name].reference for name in ("published", "unpublished", "closed"))
    for fmt in ("json", "xml"):
        for path, params in ((f"services/{streets.service_code}", {}),
                             ("requests", {"service_request_id": ids, "extensions": "true"}),
                             (f"requests/{world['unpublished'].reference}", {}),
                             (f"requests/{world['published'].reference}", {})):
            response = client.get(f"{API}{path}.{fmt}", params)
            assert response.status_code == 200
            if fmt == "json":
                definition = "service_definition" if path.startswith("services") else (
                    "service_requests")
                assert_valid_json(response.content, definition)
            else:
                assert_valid_xml(response.content, "service")
    listed = json.loads(client.get(f"{API}requests.json", {"service_request_id": ids}).content)
    assert len(listed) == 3


def jpeg_file():
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "blue").save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "kuva.jpg"
    return buffer


def test_post_and_token_answers_match_the_schemas(client, streets):
    feedback_page()
    _key, secret = new_key()
    _moderated, moderated_secret = new_key(name="Ennakko", pre_moderation=True)
    data = {"service_code": streets.service_code, "lat": "65.85", "long": "24.14",
            "description": "Katuvalo ei pala tänään illalla."}
    for fmt in ("json", "xml"):
        with TestCase.captureOnCommitCallbacks(execute=True):
            created = client.post(f"{API}requests.{fmt}", {
                **data, "api_key": secret, "media": [jpeg_file()], "title": fmt})
            tokened = client.post(f"{API}requests.{fmt}", {
                **data, "api_key": moderated_secret, "title": fmt})
            refused = client.post(f"{API}requests.{fmt}", {**data, "api_key": "väärä"})
        assert (created.status_code, tokened.status_code, refused.status_code) == (200, 200, 403)
        if fmt == "json":
            assert_valid_json(created.content, "post_answer")
            assert_valid_json(tokened.content, "post_answer")
            assert_valid_json(refused.content, "errors")
            token = json.loads(tokened.content)[0]["token"]
            assert_valid_json(client.get(f"{API}tokens/{token}.json").content, "tokens")
        else:
            for response in (created, tokened, refused):
                assert_valid_xml(response.content, "")
            token = XSD.to_dict(io.BytesIO(tokened.content))["request"][0]["token"]
            assert_valid_xml(client.get(f"{API}tokens/{token}.xml").content, "service_requests")


def test_the_schemas_can_fail(client, world):
    """The schemas refuse what the spec refuses: a numeric code, a datetime without offset."""
    body = json.loads(client.get(f"{API}services.json").content)
    body[0]["service_code"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(body, {**JSON_SCHEMA, "$ref": "#/$defs/services"})
    requests = json.loads(client.get(f"{API}requests.json").content)
    requests[0]["requested_datetime"] = "2026-11-30T08:00:00"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(requests, {**JSON_SCHEMA, "$ref": "#/$defs/service_requests"})
    xml = client.get(f"{API}requests.xml").content.replace(b"<status>open<", b"<status>maybe<")
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        XSD.validate(io.BytesIO(xml))
