#!/usr/bin/env bash
# Restore a backup of scripts/backup.sh into a fresh database and an empty photo folder.
#
#   createdb -h db.example -U postgres palaute_restored
#   DATABASE_URL=postgres://user@db.example/palaute_restored \
#     PALAUTE_PHOTO_ROOT=/srv/palaute/photos-restored scripts/restore.sh /backups/palaute-2026-12-01
#
# Refuses a database that has tables or a photo folder that has files: a restore never
# mixes with live data. Afterwards point the site's DATABASE_URL and PALAUTE_PHOTO_ROOT
# at them, run `manage.py migrate` (a no-op unless the code is newer than the backup)
# and start the site and the qclusters.
set -euo pipefail
src=${1:?usage: scripts/restore.sh BACKUP_DIRECTORY}
: "${DATABASE_URL:?set DATABASE_URL (postgres://..., an existing empty database)}"
(cd "$src" && sha256sum --quiet -c SHA256SUMS)
tables=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != 0 ]; then
  echo "restore: the database already has $tables tables; restore into a fresh one." >&2
  exit 1
fi
if [ -f "$src/photos.tar" ]; then
  : "${PALAUTE_PHOTO_ROOT:?set PALAUTE_PHOTO_ROOT (an empty folder for the photos)}"
  mkdir -p "$PALAUTE_PHOTO_ROOT"
  if [ -n "$(ls -A "$PALAUTE_PHOTO_ROOT")" ]; then
    echo "restore: $PALAUTE_PHOTO_ROOT is not empty." >&2
    exit 1
  fi
fi
pg_restore --no-owner --no-acl --exit-on-error --single-transaction \
  --dbname="$DATABASE_URL" "$src/database.dump"
if [ -f "$src/photos.tar" ]; then
  (umask 077 && tar -C "$PALAUTE_PHOTO_ROOT" -xf "$src/photos.tar")
fi
echo "restore: $src into the database and ${PALAUTE_PHOTO_ROOT:-(no photo folder)}"
