#!/usr/bin/env bash
# Installs everything and runs the site with demo content:
# SQLite and the django-q2 ORM broker, so there is no server to install.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
# Links in staff emails point to this port (cms/settings/base.py reads it).
export WAGTAILADMIN_BASE_URL="${WAGTAILADMIN_BASE_URL:-http://localhost:${PORT}}"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip setuptools
.venv/bin/python -m pip install -q -r requirements.txt
PY=.venv/bin/python
if command -v msgfmt >/dev/null && compgen -G "*/locale/*/LC_MESSAGES/*.po" >/dev/null; then
  $PY manage.py compilemessages -v 0 -i .venv
fi
$PY manage.py migrate --noinput -v 0
$PY manage.py createcachetable
$PY manage.py collectstatic --noinput -v 0
$PY manage.py palaute_demo --base-url "http://localhost:${PORT}"
mkdir -p var
# The task worker delivers the emails (they land in var/sent-emails/).
$PY manage.py qcluster > var/qcluster.log 2>&1 &
QPID=$!
trap 'kill $QPID 2>/dev/null || true' EXIT INT TERM
echo
echo "Open http://localhost:${PORT}/palaute/  (admin: http://localhost:${PORT}/admin/)"
echo "Emails are written to var/sent-emails/; the task worker logs to var/qcluster.log."
$PY manage.py runserver "127.0.0.1:${PORT}"
