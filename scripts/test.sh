#!/usr/bin/env bash
# Installs what the tests need and runs the whole suite (lint, migrations, pytest).
# DATABASE_URL=postgres://... and REDIS_URL=redis://... switch the database and broker.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip setuptools
.venv/bin/python -m pip install -q -r requirements-dev.txt
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "Could not install chromium: browser tests will be skipped (and fail on CI)."
fi
PY=.venv/bin/python
if command -v msgfmt >/dev/null && compgen -G "*/locale/*/LC_MESSAGES/*.po" >/dev/null; then
  $PY manage.py compilemessages -v 0 -i .venv
fi
.venv/bin/ruff check .
DJANGO_SETTINGS_MODULE=cms.settings.test $PY manage.py makemigrations --check --dry-run -v 0
DJANGO_SETTINGS_MODULE=cms.settings.test $PY manage.py check --fail-level WARNING
# The production settings' own checks; an empty database, so that what this machine's
# databases hold (a site still on localhost: palaute_plugin.W004) does not decide them.
DJANGO_SECRET_KEY=check-only-$(date +%s)-not-a-real-key-but-long-enough-0123456789abcdef \
  WAGTAILADMIN_BASE_URL=https://palaute.example.fi DATABASE_URL=sqlite:///:memory: \
  DJANGO_SETTINGS_MODULE=cms.settings.production $PY manage.py check --deploy --fail-level WARNING
export DJANGO_ALLOW_ASYNC_UNSAFE=true
exec $PY -m pytest "$@"
