#!/usr/bin/env bash
# Builds the package, installs the wheel into a FRESH virtualenv in a temporary folder,
# and runs a plain Wagtail site (this folder, copied out of the repository, so nothing
# comes from the source tree) through collectstatic and the smoke test (smoke_install.py:
# migrate, check, a submission with a photo, the admin inbox, the demo) on SQLite, and on
# PostgreSQL when DATABASE_URL=postgres://… is set (test database "test_<name>_standalone").
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD_PY="${BUILD_PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$BUILD_PY" ] || BUILD_PY=python3
WORK="$(mktemp -d "${TMPDIR:-/tmp}/palaute-standalone.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
START=$(date +%s)
elapsed() { echo "    ($(( $(date +%s) - START )) s)"; }

echo "--- Building the sdist and the wheel (from the sdist)"
"$BUILD_PY" -m build -q --outdir "$WORK/dist" "$ROOT" >/dev/null
rm -rf "$ROOT/build" "$ROOT"/*.egg-info
WHEEL="$(ls "$WORK"/dist/*.whl)"
echo "    $(basename "$WHEEL")"

elapsed
echo "--- Checking what the wheel holds"
"$BUILD_PY" - "$WHEEL" <<'EOF'
import sys
import zipfile

names = zipfile.ZipFile(sys.argv[1]).namelist()
top = {name.split("/")[0] for name in names}
extra = {t for t in top if t != "palaute_plugin" and not t.endswith(".dist-info")}
assert not extra, f"the wheel holds more than palaute_plugin: {sorted(extra)}"
needed = [
    "palaute_plugin/migrations/0001_initial.py",
    "palaute_plugin/templates/palaute_plugin/feedback_page.html",
    "palaute_plugin/templates/palaute_plugin/emails/receipt.txt",
    "palaute_plugin/static/palaute_plugin/js/map.js",
    "palaute_plugin/templatetags/palaute_tags.py",
    "palaute_plugin/management/commands/palaute_demo.py",
] + [f"palaute_plugin/locale/{lang}/LC_MESSAGES/django.mo" for lang in ("fi", "sv", "en")]
missing = [name for name in needed if name not in names]
assert not missing, f"missing from the wheel: {missing}"
kinds = {}
for name in names:
    parts = name.split("/")
    kind = parts[1] if len(parts) > 2 and parts[0] == "palaute_plugin" else parts[0]
    kinds[kind] = kinds.get(kind, 0) + 1
print("    " + ", ".join(f"{kind}: {count}" for kind, count in sorted(kinds.items())))
EOF

echo "--- A fresh virtualenv with the wheel and the test tools"
python3 -m venv "$WORK/venv"
PY="$WORK/venv/bin/python"
EXTRA=()
if [[ "${DATABASE_URL:-}" == postgres* ]]; then EXTRA+=("psycopg[binary]>=3.2,<4"); fi
"$PY" -m pip install -q --no-compile "$WHEEL" "pytest>=8,<10" "pytest-django>=4.9,<5" \
  "dj-database-url>=2.2,<4" "${EXTRA[@]}"

elapsed
cp -r "$ROOT/tests/standalone" "$WORK/site"
cd "$WORK/site"
"$PY" - <<'EOF'
import importlib.util
import palaute_plugin

assert "site-packages" in palaute_plugin.__file__, palaute_plugin.__file__
for name in ("cms", "home", "tests"):
    assert importlib.util.find_spec(name) is None, f"{name} is importable"
print("    palaute_plugin from", palaute_plugin.__file__)
EOF

run_site() {
  # pytest-django migrates a new test database with the package's migrations; the smoke
  # test runs the system checks and palaute_demo there too.
  echo "--- $1: makemigrations --check, collectstatic, smoke test"
  "$PY" manage.py makemigrations --check --dry-run -v 0
  "$PY" manage.py collectstatic --noinput -v 0
  test -f static/leaflet/leaflet.js
  "$PY" -m pytest -q
  elapsed
}

(unset DATABASE_URL; run_site SQLite)

if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  STANDALONE_URL="${DATABASE_URL%/*}/$(basename "${DATABASE_URL%%\?*}")_standalone"
  "$PY" - "$STANDALONE_URL" <<'EOF'
import sys

import dj_database_url
import psycopg

db = dj_database_url.parse(sys.argv[1])
conninfo = dict(host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
                password=db["PASSWORD"] or None, dbname="postgres", autocommit=True)
with psycopg.connect(**{k: v for k, v in conninfo.items() if v is not None}) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
    conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
EOF
  DATABASE_URL="$STANDALONE_URL" run_site PostgreSQL
fi

echo "--- Standalone site passed in $(( $(date +%s) - START )) s"
