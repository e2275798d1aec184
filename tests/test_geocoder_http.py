"""geo.NominatimGeocoder against a fake Nominatim in this process (never the internet):
the query it sends, the places it reads, and that failures are "nothing found"."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from palaute_plugin import checks
from palaute_plugin.geo import NominatimGeocoder, Place, geocoder

SEARCH_ANSWER = [
    {"lat": "65.8452", "lon": "24.1499", "category": "place", "type": "house", "name": "",
     "display_name": "12, Hallituskatu, Keskusta, Tornio, Suomi",
     "address": {"road": "Hallituskatu", "house_number": "12", "city": "Tornio"}},
    {"lat": "65.8478", "lon": "24.1447", "category": "amenity", "type": "townhall",
     "name": "Kaupungintalo", "display_name": "Kaupungintalo, Suensaarenkatu, Tornio",
     "address": {"road": "Suensaarenkatu"}},
    {"lat": "65.8470", "lon": "24.1450", "category": "highway", "name": "Torikatu",
     "display_name": "Torikatu, Tornio", "address": {"road": "Torikatu"}},
    {"lat": "not a number", "lon": "24.1", "display_name": "Broken"},
]
REVERSE_ANSWER = {"lat": "65.8452", "lon": "24.1499", "category": "place", "name": "",
                  "display_name": "12, Hallituskatu, Tornio",
                  "address": {"road": "Hallituskatu", "house_number": "12"}}


class FakeNominatim(BaseHTTPRequestHandler):
    requests = []
    mode = "ok"

    def do_GET(self):  # noqa: N802 (http.server's name)
        url = urlsplit(self.path)
        type(self).requests.append((url.path, parse_qs(url.query),
                                    self.headers.get("User-Agent")))
        if self.mode == "slow":
            time.sleep(1.5)
        if self.mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        body = (b"<html>not json" if self.mode == "garbage" else json.dumps(
            SEARCH_ANSWER if url.path.endswith("/search") else REVERSE_ANSWER).encode())
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeNominatim.requests, FakeNominatim.mode = [], "ok"
    settings.PALAUTE_GEOCODER = "palaute_plugin.geo.NominatimGeocoder"
    settings.PALAUTE_GEOCODER_URL = f"http://127.0.0.1:{server.server_port}/nominatim/"
    settings.PALAUTE_GEOCODER_TIMEOUT = 0.5
    settings.PALAUTE_GEOCODER_USER_AGENT = "Tornio feedback (palaute@tornio.fi)"
    settings.PALAUTE_AREA_BOUNDS = (65.55, 23.55, 66.45, 24.95)
    yield FakeNominatim
    server.shutdown()
    server.server_close()
    thread.join()


def test_search_asks_within_the_area_and_reads_addresses_and_names(nominatim):
    found = geocoder().search("  Hallituskatu   12 ", language="sv", limit=4)
    assert found == [Place("Hallituskatu 12", 65.8452, 24.1499),
                     Place("Kaupungintalo", 65.8478, 24.1447),
                     Place("Torikatu", 65.8470, 24.1450)]
    [(path, query, user_agent)] = nominatim.requests
    assert path == "/nominatim/search"
    assert query["q"] == ["Hallituskatu 12"]
    assert query["accept-language"] == ["sv"]
    assert query["limit"] == ["4"]
    assert query["viewbox"] == ["23.55,66.45,24.95,65.55"]
    assert query["bounded"] == ["1"]
    assert user_agent == "Tornio feedback (palaute@tornio.fi)"


def test_reverse_names_the_pin(nominatim):
    assert geocoder().reverse(65.84521, 24.14993) == Place("Hallituskatu 12", 65.8452, 24.1499)
    [(path, query, _agent)] = nominatim.requests
    assert (path, query["lat"], query["lon"]) == ("/nominatim/reverse", ["65.845210"],
                                                   ["24.149930"])


@pytest.mark.parametrize("mode", ["slow", "error", "garbage"])
def test_a_failing_service_is_nothing_found_and_logged(nominatim, mode, caplog):
    nominatim.mode = mode
    assert geocoder().search("Hallituskatu") == []
    assert geocoder().reverse(65.85, 24.15) is None
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "Geocoder search failed", "Geocoder reverse failed"]


def test_an_unreachable_service_is_nothing_found(settings, caplog):
    settings.PALAUTE_GEOCODER_URL = "http://127.0.0.1:9/"
    assert NominatimGeocoder().search("Hallituskatu") == []
    assert "Geocoder search failed" in caplog.text


def test_empty_text_asks_nothing(nominatim):
    assert geocoder().search("   ") == []
    assert nominatim.requests == []


def test_the_service_needs_an_address_and_a_sensible_timeout(settings):
    settings.PALAUTE_GEOCODER = "palaute_plugin.geo.NominatimGeocoder"
    settings.PALAUTE_GEOCODER_URL = ""
    settings.PALAUTE_GEOCODER_TIMEOUT = 0
    assert [m.id for m in checks.check_geocoder(None)] == ["palaute_plugin.E041",
                                                             "palaute_plugin.E042"]
    settings.PALAUTE_GEOCODER_URL = "https://nominatim.tornio.fi"
    settings.PALAUTE_GEOCODER_TIMEOUT = 2
    assert checks.check_geocoder(None) == []
