"""``POST requests``: a client's report becomes a routed case; keys, bad input, replays, floods."""

import io
import json

import pytest
from django.core import mail
from django.test import TestCase
from PIL import Image
from wagtail.models import ModelLogEntry

from palaute_plugin.models import Feedback, FeedbackPhoto
from palaute_plugin.open311.models import ApiSubmission

from .factories import CategoryFactory, feedback_page
from .open311_fixtures import API, new_key

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page():
    return feedback_page()


def jpeg_file(name="kuva.jpg", size=(64, 48)):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Puhelinvalmistaja"  # Make: metadata that must not survive
    image.save(buffer, format="JPEG", exif=exif)
    buffer.seek(0)
    buffer.name = name
    return buffer


def post(client, data, fmt="json", **headers):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(API + f"requests.{fmt}", data, headers=headers)


def valid(key, streets, **overrides):
    _key, secret = key
    data = {"api_key": secret, "service_code": streets.service_code, "lat": "65.8463",
            "long": "24.1441", "description": "Katuvalo ei pala Hallituskadulla.",
            "email": "maija@example.com", "first_name": "Maija", "last_name": "Meikäläinen",
            "phone": "040 123 4567", "title": "Katuvalo", "locale": "en"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def error_of(response, status):
    assert response.status_code == status, response.content
    body = json.loads(response.content)
    assert body[0]["code"] == status
    return body[0]["description"]


def test_a_post_becomes_a_routed_api_case_with_a_receipt(client, api_key, streets, responsible):
    streets.responsible_person = responsible
    streets.save()
    response = post(client, valid(api_key, streets, media_url="https://example.com/kuva.jpg"))
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    case = Feedback.objects.get()
    assert body == [{"service_request_id": case.reference,
                     "service_notice": "We aim to answer within 14 working days."}]
    assert case.channel == Feedback.Channel.API
    assert case.category == streets
    assert case.assignee == responsible
    assert case.contact_name == "Maija Meikäläinen"
    assert case.language == "en"
    assert (case.latitude, case.longitude) == (65.8463, 24.1441)
    submission = ApiSubmission.objects.get()
    assert submission.key_name == "Kaupunkisovellus"
    assert submission.media_url == "https://example.com/kuva.jpg"
    assert submission.title == "Katuvalo"
    assert sorted(m.to[0] for m in mail.outbox) == ["maija@example.com",
                                                    "vastaava@tornio.example"]
    entry = ModelLogEntry.objects.get(action="palaute_plugin.open311_submitted")
    assert entry.data["key_name"] == "Kaupunkisovellus"
    assert "https://example.com/kuva.jpg" in entry.comment
    assert "Kaupunkisovellus" in entry.message


def test_media_url_is_never_fetched(client, api_key, streets, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("no outbound connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    response = post(client, valid(api_key, streets, media_url="http://169.254.169.254/x"))
    assert response.status_code == 200
    assert ApiSubmission.objects.get().media_url == "http://169.254.169.254/x"


def test_address_string_alone_is_a_place(client, api_key, streets):
    response = post(client, valid(api_key, streets, lat=None, long=None,
                                  address_string="Hallituskatu 5, Tornio", email=None))
    assert response.status_code == 200
    case = Feedback.objects.get()
    assert case.address == "Hallituskatu 5, Tornio"
    assert not case.has_location
    assert mail.outbox == []


def test_xml_answer(client, api_key, streets):
    import xml.etree.ElementTree as ET

    response = post(client, valid(api_key, streets), fmt="xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own answer)
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text == Feedback.objects.get().reference


def test_photos_are_checked_and_cleaned_like_the_forms(client, api_key, streets):
    response = post(client, {**valid(api_key, streets), "media": [jpeg_file(), jpeg_file()]})
    assert response.status_code == 200, response.content
    photos = FeedbackPhoto.objects.all()
    assert len(photos) == 2
    assert all(photo.state == FeedbackPhoto.State.READY for photo in photos)
    with photos[0].image.open("rb") as handle:
        assert not Image.open(handle).getexif()


def test_more_than_five_photos_and_non_images_are_refused(client, api_key, streets):
    too_many = post(client, {**valid(api_key, streets),
                             "media": [jpeg_file(f"{n}.jpg") for n in range(6)]})
    assert "at most 5 photos" in error_of(too_many, 400)
    text = io.BytesIO(b"not an image")
    text.name = "kuva.jpg"
    assert "kuva.jpg" in error_of(post(client, {**valid(api_key, streets), "media": [text]}), 400)
    assert not Feedback.objects.exists()
    assert not FeedbackPhoto.objects.exists()


def test_attributes_are_checked_and_kept(client, api_key, streets, danger):
    missing = post(client, valid(api_key, streets))
    assert "dangerous" in error_of(missing, 400)
    wrong = post(client, {**valid(api_key, streets), "attribute[dangerous]": "maybe"})
    assert "dangerous" in error_of(wrong, 400)
    unknown = post(client, {**valid(api_key, streets), "attribute[dangerous]": "yes",
                            "attribute[color]": "red"})
    assert "color" in error_of(unknown, 400)
    response = post(client, {**valid(api_key, streets), "attribute[dangerous]": "yes"})
    assert response.status_code == 200
    assert ApiSubmission.objects.get().attributes == {"dangerous": "yes"}


@pytest.mark.parametrize("secret", [None, "", "wrong-key"])
def test_missing_or_invalid_key_is_403(client, api_key, streets, secret):
    data = valid(api_key, streets, api_key=secret)
    assert "api_key" in error_of(post(client, data), 403)
    assert not Feedback.objects.exists()


def test_revoked_key_is_403(client, api_key, streets):
    from django.utils import timezone

    key, _secret = api_key
    key.revoked_at = timezone.now()
    key.save()
    error_of(post(client, valid(api_key, streets)), 403)
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(("overrides", "words"), [
    ({"service_code": "no-such-service"}, "Unknown service code"),
    ({"description": "x" * 4001}, "description"),
    ({"description": "lyhyt"}, "description"),
    ({"lat": "91", "long": "24"}, "outside the world"),
    ({"lat": "65.8", "long": "181"}, "outside the world"),
    ({"lat": "65.8", "long": None}, "long"),
    ({"lat": "nan", "long": "24"}, "lat"),
    ({"lat": None, "long": None}, "address_string"),
    ({"email": "not-an-email"}, "email"),
    ({"media_url": "javascript:alert(1)"}, "media_url"),
])
def test_bad_input_is_400_and_saves_nothing(client, api_key, streets, overrides, words):
    assert words in error_of(post(client, valid(api_key, streets, **overrides)), 400)
    assert not Feedback.objects.exists()


def test_a_place_outside_the_city_is_400(client, api_key, streets, settings):
    settings.PALAUTE_AREA_BOUNDS = (65.7, 23.9, 66.1, 24.4)
    message = error_of(post(client, valid(api_key, streets, lat="60.17", long="24.94")), 400)
    assert "outside the city" in message
    assert not Feedback.objects.exists()


def test_a_category_of_another_authority_is_unknown(client, api_key):
    from .factories import OtherAuthorityFactory

    state_roads = CategoryFactory(other_authority=OtherAuthorityFactory())
    message = error_of(post(client, valid(api_key, state_roads)), 400)
    assert "Unknown service code" in message


def test_a_group_is_not_a_service(client, api_key, streets):
    group = CategoryFactory(service_code="liikenne")
    streets.parent = group
    streets.save()
    message = error_of(post(client, valid(api_key, group)), 400)
    assert "Unknown service code" in message


def test_idempotency_key_returns_the_first_case(client, api_key, streets):
    first = post(client, valid(api_key, streets), **{"Idempotency-Key": "abc-1"})
    again = post(client, valid(api_key, streets, description="Eri teksti kokonaan tässä."),
                 **{"Idempotency-Key": "abc-1"})
    assert json.loads(first.content) == json.loads(again.content)
    assert Feedback.objects.count() == 1
    other_key = new_key(name="Toinen")
    post(client, valid(other_key, streets), **{"Idempotency-Key": "abc-1"})
    assert Feedback.objects.count() == 2


def test_the_same_payload_again_within_minutes_returns_the_first_case(client, api_key,
                                                                         streets):
    first = post(client, valid(api_key, streets))
    again = post(client, valid(api_key, streets))
    assert json.loads(first.content) == json.loads(again.content)
    assert Feedback.objects.count() == 1
    post(client, valid(api_key, streets, description="Toinen asia, toinen paikka."))
    assert Feedback.objects.count() == 2


def test_a_flood_from_one_key_is_limited(client, streets):
    flooding = new_key(name="Tulva", rate_limit="3/h")
    calm = new_key(name="Rauhallinen")
    for number in range(3):
        response = post(client, valid(flooding, streets, description=f"Viesti numero {number}."))
        assert response.status_code == 200
    refused = post(client, valid(flooding, streets, description="Neljäs viesti tulvasta."))
    assert "Too many" in error_of(refused, 429)
    assert refused["Retry-After"] == "60"
    assert Feedback.objects.count() == 3
    assert post(client, valid(calm, streets)).status_code == 200


def test_pre_moderated_key_gets_a_token_and_the_id_once_staff_take_the_case(client, streets,
                                                                            handler):
    from palaute_plugin import actions

    key = new_key(name="Ennakko", pre_moderation=True)
    body = json.loads(post(client, valid(key, streets)).content)
    token = body[0]["token"]
    assert "service_request_id" not in body[0]
    answer = json.loads(client.get(API + f"tokens/{token}.json").content)
    assert answer == [{"service_request_id": None, "token": token}]
    case = Feedback.objects.get()
    # Guessing the next reference does not get round the token (acceptance test: it did).
    unknown = client.get(API + "requests/2000-99999.json")
    guessed = client.get(API + f"requests/{case.reference}.json")
    assert guessed.status_code == 404 and guessed.content == unknown.content
    assert json.loads(client.get(API + "requests.json", {
        "service_request_id": case.reference}).content) == []
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.take(case, user=handler)
    answer = json.loads(client.get(API + f"tokens/{token}.json").content)
    assert answer == [{"service_request_id": case.reference, "token": token}]
    assert json.loads(client.get(API + f"requests/{case.reference}.json").content)[0][
        "service_request_id"] == case.reference
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.reject(Feedback.objects.get(), user=handler, reason="Asiaton")
    assert client.get(API + f"tokens/{token}.json").status_code == 404


def test_get_only_endpoints_refuse_post(client, api_key, streets):
    response = client.post(API + "services.json", valid(api_key, streets))
    assert response.status_code == 405


def test_errors_are_in_the_language_asked_for(client, api_key, streets):
    data = valid(api_key, streets, service_code="no-such-service")
    assert error_of(post(client, {**data, "locale": "fi"}), 400).endswith(
        "Tuntematon palvelukoodi.")
    swedish = post(client, {**data, "locale": "sv"})
    assert error_of(swedish, 400).endswith("Okänd tjänstekod.")
    assert swedish["Content-Language"] == "sv"
    flooding = new_key(name="Tulva", rate_limit="1/h")
    post(client, valid(flooding, streets))
    refused = post(client, valid(flooding, streets, description="Toinen viesti, eri asia.",
                                 locale="sv"))
    assert error_of(refused, 429).startswith("För många förfrågningar")


def test_a_post_with_a_foreign_locale_is_taken_and_answered_in_finnish(client, api_key,
                                                                      streets):
    """A client sending its device locale (de_DE) had every report refused with 400."""
    response = post(client, valid(api_key, streets, locale="de_DE"))
    assert response.status_code == 200, response.content
    case = Feedback.objects.get()
    assert json.loads(response.content) == [{
        "service_request_id": case.reference,
        "service_notice": "Pyrimme vastaamaan 14 työpäivän kuluessa."}]
    assert response["Content-Language"] == "fi"
    data = valid(api_key, streets, service_code="no-such-service", locale="\x00" * 500)
    assert error_of(post(client, data), 400).endswith("Tuntematon palvelukoodi.")


def test_the_case_screen_names_the_key_and_the_media_link(client, api_key, streets, handler):
    from .admin_fixtures import detail_url

    post(client, valid(api_key, streets, media_url="https://example.com/kuva.jpg?a=1&b=2"))
    client.force_login(handler)
    html = client.get(detail_url(Feedback.objects.get())).content.decode()
    assert "Received through the API key “Kaupunkisovellus”" in html
    assert "https://example.com/kuva.jpg?a=1&amp;b=2" in html


def test_api_key_in_the_query_string_of_a_post_is_refused(client, api_key, streets):
    data = valid(api_key, streets)
    secret = data.pop("api_key")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(API + f"requests.json?api_key={secret}&locale=en", data)
    assert "Send api_key in the POST body" in error_of(response, 400)
    # Even with the key in the body as well: the address leaked it.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(API + f"requests.json?api_key={secret}", {**data,
                                                                         "api_key": secret})
    error_of(response, 400)
    assert not Feedback.objects.exists() and not mail.outbox


@pytest.mark.parametrize("address", ["requests", "requests/", "services", "tokens/abc",
                                     "requests.json/", "requests.csv"])
def test_an_address_without_its_format_is_a_404_in_the_specs_shape(address, api_key, streets):
    """Not Django's slash redirect (its debug page for a POST, or a 301 losing the body),
    nor the site's CSRF page: the spec's error, and nothing saved."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(API + address, valid(api_key, streets))
    assert "requests.json" in error_of(response, 404)
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Language"] == "en"
    assert json.loads(client.get(API + address).content)[0]["code"] == 404
    assert not Feedback.objects.exists() and not mail.outbox


def test_an_unknown_address_ending_in_xml_is_answered_in_xml(client):
    response = client.get(API + "request.xml", {"locale": "sv"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/xml")
    assert response["Content-Language"] == "sv"
    assert b"<code>404</code>" in response.content


def test_a_json_body_is_refused_as_such_not_as_a_missing_key(client, api_key, streets):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(API + "requests.json?locale=en",
                               json.dumps(valid(api_key, streets)),
                               content_type="application/json")
    assert "as a form (application/x-www-form-urlencoded" in error_of(response, 415)
    assert not Feedback.objects.exists() and not mail.outbox
