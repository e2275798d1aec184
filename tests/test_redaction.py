"""Personal data removed from a text before a moderator sees it."""

import pytest

from palaute_plugin.publication.redaction import (
    highlight,
    is_valid_hetu,
    redact,
    sensitive_findings,
)


@pytest.mark.parametrize("code, valid", [
    ("131052-308T", True), ("010101A123N", True), ("131052-308U", False),
    ("131052X308T", True), ("131052G308T", False),  # X: the 2023 century signs
])
def test_hetu_checksum(code, valid):
    assert is_valid_hetu(code) is valid


def test_everything_personal_is_replaced_in_the_language():
    text = ("Olen Maija Meikäläinen, maija@example.com, puh. 040 123 4567 tai +358 40 765 4321. "
            "Hetu 131052-308T, auto ABC-123. Numero 991352-308U ei ole hetu.")
    result = redact(text, "fi", names=["Maija Meikäläinen"])
    for removed in ("Maija", "Meikäläinen", "maija@example.com", "040 123 4567",
                    "+358 40 765 4321", "131052-308T", "ABC-123"):
        assert removed not in result
    assert result.count("[poistettu]") == 6
    assert "991352-308U" in result  # no such date: not a personal identity code
    assert redact("Ring 040 123 4567", "sv") == "Ring [borttaget]"
    assert redact("Call 040 123 4567", "en") == "Call [removed]"


def test_ordinary_numbers_and_words_stay():
    text = "Katuvalo 12 on rikki jo 3 päivää, talo 45 B."
    assert redact(text, "fi", names=[""]) == text


def test_highlight_escapes_and_marks():
    html = highlight("<b>x</b> [poistettu]")
    assert html == "&lt;b&gt;x&lt;/b&gt; <mark>[poistettu]</mark>"


def test_sensitive_findings_are_emails_hetus_and_phone_numbers():
    assert sensitive_findings("a@b.fi ja 131052-308T, 131052-308U, 991352-308U, "
                              "010190-123A, (040) 765 4321") == [
        "a@b.fi", "131052-308T", "131052-308U", "010190-123A", "(040) 765 4321"]


@pytest.mark.parametrize("written", [
    "(040) 765 4321", "040.123.4567", "+46 70 123 45 67", "+358 (0)40 123 4567",
    "00358 40 123 4567", "+3584012345678", "0401234567",
    "maija.m (at) example.com", "x [at] gmail.com", "x@gmail . com", "x (at) y piste fi",
    "ABC123", "Koulukatu 5 B 12", "Pohjoisrantakatu 14 A 3", "Storgatan 3 A 5",
    "Rantatie 4 as. 2",
])
def test_personal_data_written_otherwise_is_removed_too(written):
    """Security review 2026-12-03: these passed through an erasure and a draft unchanged."""
    assert redact(f"Soita {written} tänään.", "fi") == "Soita [poistettu] tänään."


@pytest.mark.parametrize("text", [
    "Päivä 01.12.2026 klo 14.30.", "Viite 2026-00042.", "Tiet VT21, KT4 ja E75.",
    "Hinta 1 000 000 euroa, 1.5 km.", "Postinumero 95400 Tornio.",
    "Osoite maija@example.com. Hetu puuttuu.", "Hallituskatu 12 valo rikki.",
    "Kauppakatu 2 B:n edessä.",
])
def test_dates_references_roads_and_sums_stay(text):
    assert sensitive_findings(text.replace("maija@example.com", "")) == []
    assert redact(text, "fi") == text.replace("maija@example.com", "[poistettu]")


@pytest.mark.parametrize("code", ["010190-123A", "131052-308U", "010101A123N"])
def test_a_hetu_is_removed_whole_even_with_a_wrong_check_character(code):
    """One mistyped character still names the person; a code starting with 0 lost only
    its digits to the phone pattern and kept its check character ("[poistettu]A")."""
    assert redact(f"hetu {code}, kiitos", "fi") == "hetu [poistettu], kiitos"
