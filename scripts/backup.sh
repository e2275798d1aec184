#!/usr/bin/env bash
# Back up the feedback system: the database (pg_dump, custom format) and the photo folder.
#
#   DATABASE_URL=postgres://user@db.example/palaute PALAUTE_PHOTO_ROOT=/srv/palaute/photos \
#     scripts/backup.sh /backups/palaute-$(date +%F)
#
# Writes DEST/database.dump, DEST/photos.tar and DEST/SHA256SUMS. The database is dumped
# first: photo files are only ever added or deleted, never changed, so every photo the
# dump knows of is in the archive unless its case was deleted in between (then the
# restored row has no file, like a deleted case). With photos in S3-compatible storage
# (STORAGES["palaute_photos"]), leave PALAUTE_PHOTO_ROOT unset and back the bucket up
# with its own tools (versioning or `aws s3 sync`); this script then dumps the database only.
set -euo pipefail
dest=${1:?usage: scripts/backup.sh DESTINATION_DIRECTORY}
: "${DATABASE_URL:?set DATABASE_URL (postgres://...)}"
umask 077  # the dump holds residents' contact details
mkdir -p "$dest"
pg_dump --format=custom --no-owner --no-acl --file="$dest/database.dump" "$DATABASE_URL"
files=(database.dump)
if [ -n "${PALAUTE_PHOTO_ROOT:-}" ]; then
  # Photos are JPEG already: no compression. Relative paths, as the storage names them.
  tar -C "$PALAUTE_PHOTO_ROOT" -cf "$dest/photos.tar" .
  files+=(photos.tar)
fi
(cd "$dest" && sha256sum "${files[@]}" > SHA256SUMS)
echo "backup: $dest (${files[*]})"
