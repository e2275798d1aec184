"""System checks (palaute_plugin/checks.py): each bad value is reported with its id."""

import pytest
from django.core.checks import Error, Warning, run_checks

from palaute_plugin import checks
from palaute_plugin.conf import DEFAULTS, palaute_setting


def ids(messages):
    return sorted(message.id for message in messages)


def palaute_ids():
    return ids(m for m in run_checks(include_deployment_checks=False)
               if m.id.startswith("palaute_plugin."))


def test_the_city_site_settings_pass_every_check():
    assert palaute_ids() == []


def test_every_setting_has_a_default_and_is_read_from_settings(settings):
    assert set(DEFAULTS) >= {"PHOTO_ROOT", "AREA_BOUNDS", "MAP_CENTER", "DEMO_HOME_PAGE"}
    settings.PALAUTE_MAX_PHOTOS = 2
    assert palaute_setting("MAX_PHOTOS") == 2
    del settings.PALAUTE_AREA_BOUNDS
    assert palaute_setting("AREA_BOUNDS") is None
    with pytest.raises(KeyError):
        palaute_setting("NO_SUCH_SETTING")


def test_unknown_palaute_setting_is_a_warning(settings):
    settings.PALAUTE_MAX_PHOTO = 3  # a typo of MAX_PHOTOS
    messages = checks.check_unknown_settings(None)
    assert ids(messages) == ["palaute_plugin.W001"]
    assert isinstance(messages[0], Warning) and "PALAUTE_MAX_PHOTO " in messages[0].msg + " "


@pytest.mark.parametrize("name", checks.POSITIVE_INTEGERS)
@pytest.mark.parametrize("value", [0, -1, "5", 2.5, True, None])
def test_positive_integers(settings, name, value):
    setattr(settings, f"PALAUTE_{name}", value)
    assert ids(checks.check_numbers(None)) == ["palaute_plugin.E002"]


@pytest.mark.parametrize("name", checks.OPTIONAL_POSITIVE_INTEGERS)
@pytest.mark.parametrize("value", [0, -1, "5", 2.5, True])
def test_optional_positive_integers(settings, name, value):
    setattr(settings, f"PALAUTE_{name}", value)
    assert ids(checks.check_numbers(None)) == ["palaute_plugin.E002"]
    setattr(settings, f"PALAUTE_{name}", None)
    assert checks.check_numbers(None) == []


@pytest.mark.parametrize("name", checks.NON_NEGATIVE_INTEGERS)
@pytest.mark.parametrize("value", [-1, "3", 1.5, None])
def test_non_negative_integers(settings, name, value):
    setattr(settings, f"PALAUTE_{name}", value)
    assert ids(checks.check_numbers(None)) == ["palaute_plugin.E004"]


def test_zero_is_allowed_where_it_means_off(settings):
    settings.PALAUTE_MIN_SUBMIT_SECONDS = 0
    settings.PALAUTE_MESSAGE_MIN_LENGTH = 0
    assert checks.check_numbers(None) == []


def test_message_lengths_must_agree(settings):
    settings.PALAUTE_MESSAGE_MIN_LENGTH = 100
    settings.PALAUTE_MESSAGE_MAX_LENGTH = 50
    assert ids(checks.check_numbers(None)) == ["palaute_plugin.E003"]


def test_thumbnail_larger_than_the_photo_is_a_warning(settings):
    settings.PALAUTE_PHOTO_THUMB_EDGE = 3000
    settings.PALAUTE_PHOTO_MAX_EDGE = 2000
    assert ids(checks.check_numbers(None)) == ["palaute_plugin.W003"]


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("RATE_LIMIT", "30 per hour", "palaute_plugin.E005"),
    ("RATE_LIMIT", 30, "palaute_plugin.E005"),
    ("SITE_RATE_LIMIT", "1000/y", "palaute_plugin.E005"),
    ("ALERT_EMAILS", "valvomo@tornio.example", "palaute_plugin.E015"),
    ("ALERT_EMAILS", ["not an address"], "palaute_plugin.E015"),
    ("CONTACT_PHONE", 16432, "palaute_plugin.E016"),
    ("REFERENCE_PREFIX", None, "palaute_plugin.E006"),
    ("REFERENCE_PREFIX", "X" * 16, "palaute_plugin.E006"),
    ("ADMIN_GROUP_NAME", "", "palaute_plugin.E007"),
    ("ADMIN_GROUP_NAME", "  ", "palaute_plugin.E007"),
    ("ADMIN_GROUP_NAME", "G" * 151, "palaute_plugin.E007"),
    ("ADMIN_GROUP_NAME", None, "palaute_plugin.E007"),
    ("DEMO_HOME_PAGE", "home.NoSuchPage", "palaute_plugin.E013"),
    ("DEMO_HOME_PAGE", "palaute_plugin.FeedbackCategory", "palaute_plugin.E013"),
    ("DEMO_HOME_PAGE", "nonsense", "palaute_plugin.E013"),
])
def test_other_settings(settings, name, value, expected):
    setattr(settings, f"PALAUTE_{name}", value)
    assert ids(checks.check_other_settings(None)) == [expected]


def test_good_other_settings(settings):
    settings.PALAUTE_RATE_LIMIT = "5/10m"
    settings.PALAUTE_ALERT_EMAILS = ["valvomo@tornio.example"]
    settings.PALAUTE_CONTACT_PHONE = "016 432 11"
    settings.PALAUTE_REFERENCE_PREFIX = "TOR-"
    settings.PALAUTE_DEMO_HOME_PAGE = None
    assert checks.check_other_settings(None) == []
    settings.PALAUTE_DEMO_HOME_PAGE = "palaute_plugin.FeedbackPage"
    assert checks.check_other_settings(None) == []


@pytest.mark.parametrize("bounds", [
    (66, 23, 65, 24),  # south above north
    (65, 25, 66, 24),  # west east of east
    (65, 23, 91, 24),
    (65, 23, 66),
    "65,23,66,24",
    (65, "x", 66, 24),
])
def test_area_bounds(settings, bounds):
    settings.PALAUTE_AREA_BOUNDS = bounds
    settings.PALAUTE_MAP_CENTER = None
    assert ids(checks.check_map(None)) == ["palaute_plugin.E001"]


@pytest.mark.parametrize("center", [(91, 24), (65, 181), (65,), "65,24", (65, 24, 3)])
def test_map_center(settings, center):
    settings.PALAUTE_MAP_CENTER = center
    assert ids(checks.check_map(None)) == ["palaute_plugin.E008"]


def test_map_center_outside_the_area_is_a_warning(settings):
    settings.PALAUTE_AREA_BOUNDS = (65.55, 23.55, 66.45, 24.95)
    settings.PALAUTE_MAP_CENTER = (60.17, 24.94)  # Helsinki
    assert ids(checks.check_map(None)) == ["palaute_plugin.W002"]


def test_no_area_and_no_centre_is_fine(settings):
    settings.PALAUTE_AREA_BOUNDS = None
    settings.PALAUTE_MAP_CENTER = None
    assert checks.check_map(None) == []


@pytest.mark.parametrize("app", checks.REQUIRED_APPS)
def test_each_required_app(monkeypatch, app):
    # Removing an app from the live registry would unload the admin's URLs: ask the check
    # about a registry without it instead.
    from django.apps import apps

    installed = apps.is_installed
    monkeypatch.setattr(checks.apps, "is_installed", lambda name: name != app and installed(name))
    messages = checks.check_required_apps(None)
    assert ids(messages) == ["palaute_plugin.E011"]
    assert repr(app) in messages[0].msg


def test_vendor_finder_is_required(settings):
    settings.STATICFILES_FINDERS = [
        "django.contrib.staticfiles.finders.FileSystemFinder",
        "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    ]
    assert ids(checks.check_vendor_finder(None)) == ["palaute_plugin.E010"]


@pytest.mark.parametrize("where", ["MEDIA_ROOT", "STATIC_ROOT"])
def test_photo_root_inside_a_served_folder_is_an_error(settings, tmp_path, where):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STATIC_ROOT = str(tmp_path / "static")
    settings.PALAUTE_PHOTO_ROOT = str(tmp_path / ("media" if where == "MEDIA_ROOT" else "static")
                                      / "photos")
    messages = checks.check_photo_root(None)
    assert ids(messages) == ["palaute_plugin.E014"]
    assert where in messages[0].msg


def test_photo_root_beside_media_root_is_fine(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STATIC_ROOT = str(tmp_path / "static")
    settings.PALAUTE_PHOTO_ROOT = str(tmp_path / "media-private")  # a prefix, not inside
    assert checks.check_photo_root(None) == []
    settings.PALAUTE_PHOTO_ROOT = None  # the default: beside MEDIA_ROOT
    assert checks.check_photo_root(None) == []


def test_photo_storage_alias_inside_media_root_is_an_error(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "palaute_photos": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                           "OPTIONS": {"location": str(tmp_path / "media" / "p")}},
    }
    assert ids(checks.check_photo_root(None)) == ["palaute_plugin.E014"]


def test_photo_root_must_be_a_path(settings):
    settings.PALAUTE_PHOTO_ROOT = 42
    assert ids(checks.check_photo_root(None)) == ["palaute_plugin.E009"]


@pytest.mark.parametrize("base_url", [
    None, "", "http://localhost:8000", "http://127.0.0.1", "https://[::1]:8443", "localhost",
    "http://0.0.0.0:8000",
])
def test_admin_base_url_must_be_public_without_debug(settings, base_url):
    settings.DEBUG = False
    if base_url is None:
        del settings.WAGTAILADMIN_BASE_URL
    else:
        settings.WAGTAILADMIN_BASE_URL = base_url
    messages = checks.check_admin_base_url(None)
    assert ids(messages) == ["palaute_plugin.E012"]
    assert isinstance(messages[0], Error)


def test_admin_base_url_on_localhost_is_fine_while_debugging(settings):
    settings.DEBUG = True
    settings.WAGTAILADMIN_BASE_URL = "http://localhost:8000"
    assert checks.check_admin_base_url(None) == []


def test_public_admin_base_url_passes(settings):
    settings.DEBUG = False
    settings.WAGTAILADMIN_BASE_URL = "https://palaute.example.fi"
    assert checks.check_admin_base_url(None) == []


def test_checks_run_through_manage_py_check(settings):
    """Registered: Django's own runner reports them (not only direct calls)."""
    settings.PALAUTE_MAX_PHOTOS = 0
    settings.DEBUG = False
    settings.WAGTAILADMIN_BASE_URL = "http://localhost"
    assert palaute_ids() == ["palaute_plugin.E002", "palaute_plugin.E012"]


def test_the_workflow_comment_box_is_labelled_in_each_staff_members_language():
    """Wagtail's label was translated once at import (Finnish, whoever read it)."""
    from django.utils import translation
    from wagtail.forms import TaskStateCommentForm

    labels = {}
    for language in ("fi", "sv", "en"):
        with translation.override(language):
            labels[language] = str(TaskStateCommentForm()["comment"].label)
    assert labels == {"fi": "Kommentti", "sv": "Kommentar", "en": "Comment"}


@pytest.mark.django_db
def test_a_site_still_on_localhost_is_warned_of_in_production(settings):
    """A fresh install keeps Wagtail's default site, "localhost" on port 80: every
    resident's private link pointed to http://localhost/ (operator acceptance test)."""
    from wagtail.models import Site

    settings.DEBUG = False
    Site.objects.update(hostname="localhost")
    assert ids(checks.check_site_host(None)) == ["palaute_plugin.W004"]
    Site.objects.update(hostname="palaute.tornio.fi", port=443)
    assert checks.check_site_host(None) == []
    settings.DEBUG = True
    Site.objects.update(hostname="localhost")
    assert checks.check_site_host(None) == []


WAGTAIL_STARTER_BASE = """<!DOCTYPE html><html><head><title>{% block title %}{% endblock %}</title>
{% block extra_css %}{% endblock %}</head><body>{% block content %}{% endblock %}
{% block extra_js %}{% endblock %}</body></html>"""


def with_base_templates(settings, tmp_path, **templates):
    for name, text in templates.items():
        (tmp_path / name).write_text(text)
    engine = {**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}
    settings.TEMPLATES = [engine, *settings.TEMPLATES[1:]]


def test_a_base_template_without_extra_head_is_a_warning(settings, tmp_path):
    """Integrator's acceptance test 2026-12-03: Wagtail's starter base.html served the form
    without its style sheets, and the check said nothing."""
    with_base_templates(settings, tmp_path, **{"base.html": WAGTAIL_STARTER_BASE})
    (warning,) = checks.check_base_template(None)
    assert warning.id == "palaute_plugin.W005"
    assert "has no block extra_head" in warning.msg


def test_blocks_of_the_template_a_base_extends_count(settings, tmp_path):
    with_base_templates(settings, tmp_path, **{
        "layout.html": WAGTAIL_STARTER_BASE.replace(
            "{% block extra_css %}", "{% block extra_head %}{% endblock %}{% block extra_css %}"),
        "base.html": '{% extends "layout.html" %}{% block content %}x{% endblock %}'})
    assert checks.check_base_template(None) == []


def test_the_city_sites_base_template_has_every_block():
    assert checks.check_base_template(None) == []


@pytest.mark.parametrize("value", [["x"], "Torneå stad", {"sv": 1}])
def test_sender_names_must_map_languages_to_names(settings, value):
    """Integrator's acceptance test 2026-12-03: a list passed the check."""
    settings.PALAUTE_FROM_NAMES = value
    assert "palaute_plugin.E021" in [message.id for message in run_checks()]
