"""Fixtures every test can use. Each fixture is defined once: here, or in
``admin_fixtures.py`` (the staff side's people, categories and cases), or in
``browser/conftest.py`` (Playwright only)."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import translation

from .admin_fixtures import (  # noqa: F401  (fixtures shared by the staff-side tests)
    colleague,
    handler,
    handler_client,
    housing,
    housing_case,
    housing_handler,
    street_case,
    streets,
)
from .answer_fixtures import (  # noqa: F401  (fixtures of the answer approval tests)
    answer_approvers,
    answer_workflow,
    approval_category,
    approver,
    sensitive_case,
)
from .factories import UserFactory
from .open311_fixtures import api_key, danger  # noqa: F401  (fixtures of the Open311 tests)
from .publication_fixtures import (  # noqa: F401  (fixtures of the publication tests)
    moderator,
    moderators,
    personal_case,
    workflow,
)

#: The SQLite test database kept between ``pytest --reuse-db`` runs.
REUSED_SQLITE_DB = django_settings.BASE_DIR / "var" / "test-db-reused.sqlite3"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, request):
    """The SQLite test database is in memory; with ``--reuse-db`` it is a file in var/
    that the next ``--reuse-db`` run uses again (``--create-db`` rebuilds it)."""
    database = django_settings.DATABASES["default"]
    if (request.config.getvalue("reuse_db")
            and database["ENGINE"] == "django.db.backends.sqlite3"):
        REUSED_SQLITE_DB.parent.mkdir(exist_ok=True)
        database.setdefault("TEST", {})["NAME"] = str(REUSED_SQLITE_DB)


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the site's default language (Finnish): a test or a request
    that activated Swedish must not decide the language of the next test's messages
    (a PostgreSQL run once failed that way, in a different order of tests)."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def photo_root(settings, tmp_path):
    """Every test keeps its photos in its own folder (the live server's too: same process)."""
    settings.PALAUTE_PHOTO_ROOT = str(tmp_path / "private")
    return tmp_path / "private"


@pytest.fixture
def responsible():
    """A category's responsible person, who gets its new cases."""
    return UserFactory(username="vastaava", email="vastaava@tornio.example")


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit counters live in the cache (Redis on CI): start every test clean."""
    cache.clear()
    yield
    cache.clear()
