"""Every text the app marks for translation reads in Finnish and in Swedish.

``makemessages`` run on a copy of the app lists the texts as the code and templates have
them now; each must translate (from this app's catalog, or Wagtail's or Django's where
the text is theirs). A text added without a translation showed in English on Finnish and
Swedish screens ("The resident's contact details were erased on …": acceptance test
2026-12-03), and a new text close to an old one was merged as "fuzzy" and not used.
"""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

import palaute_plugin

#: Texts that read the same in the language (names, codes, loanwords).
SAME = {
    "fi": {"Open311", "API", "CSV", "XLSX", "JSON", "GeoJSON", "OK", "ID", "HEIC", "URL",
           "HTML", "%(count)s"},
    "sv": {"Open311", "API", "CSV", "XLSX", "JSON", "GeoJSON", "OK", "ID", "HEIC", "URL",
           "%(count)s", "Status", "status", "Filter", "Start", "Information", "Person",
           "Moderator", "Administrator", "Nominatim", "Kommentar", "Vad", "HTML", "Period",
           "median", "post", "text", "token", "version"},
}
ENTRY_RE = re.compile(
    r'(?:^msgctxt (?P<ctxt>"(?:[^"\\]|\\.)*"(?:\n"(?:[^"\\]|\\.)*")*)\n)?'
    r'^msgid (?P<id>"(?:[^"\\]|\\.)*"(?:\n"(?:[^"\\]|\\.)*")*)\n'
    r'(?:^msgid_plural (?P<plural>"(?:[^"\\]|\\.)*"(?:\n"(?:[^"\\]|\\.)*")*)\n)?', re.M)


def unquote(block):
    return "".join(ast.literal_eval(line) for line in block.splitlines()) if block else None


@pytest.fixture(scope="module")
def marked_texts(tmp_path_factory):
    """``(context, msgid, plural)`` of every text marked in the app's code and templates."""
    app = Path(palaute_plugin.__file__).parent
    copy = tmp_path_factory.mktemp("catalog") / "palaute_plugin"
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo"))
    shutil.rmtree(copy / "locale")
    (copy / "locale").mkdir()
    script = ("import django; from django.conf import settings;"
              "settings.configure(USE_I18N=True); django.setup();"
              "from django.core.management import call_command;"
              "call_command('makemessages', locale=['xx'], verbosity=0)")
    subprocess.run([sys.executable, "-I", "-c", script], cwd=copy, check=True)
    text = (copy / "locale" / "xx" / "LC_MESSAGES" / "django.po").read_text()
    texts = []
    for match in ENTRY_RE.finditer(text):
        msgid = unquote(match["id"])
        if msgid:
            texts.append((unquote(match["ctxt"]), msgid, unquote(match["plural"])))
    assert len(texts) > 500  # the whole app was read
    return texts


def translated(context, msgid, plural):
    if plural is not None:
        return translation.npgettext(context, msgid, plural, 1) if context else (
            translation.ngettext(msgid, plural, 1))
    return translation.pgettext(context, msgid) if context else translation.gettext(msgid)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_marked_text_is_translated(marked_texts, language):
    with translation.override(language):
        missing = sorted(msgid for context, msgid, plural in marked_texts
                         if translated(context, msgid, plural) == msgid
                         and msgid not in SAME[language])
    assert missing == []
