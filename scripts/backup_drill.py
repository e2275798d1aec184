"""Backup and restore drill: cases with photos, backed up, restored elsewhere, compared.

1. A database of its own (beside DATABASE_URL's) and a photo folder get the demo site
   and a few cases with photos, in a production configuration.
2. ``scripts/backup.sh`` dumps them; ``scripts/restore.sh`` restores the dump into a
   second, fresh database and an empty photo folder.
3. On the restored copy: the same cases (reference, status, message) and the same
   photo bytes (SHA-256 of every image and thumbnail); and through the staff views
   (Django test client, logged in as the demo's admin) each case's page shows its
   reference and each photo opens with the same bytes.

Needs DATABASE_URL (PostgreSQL) and pg_dump/pg_restore/psql of the server's major version.
Both databases are dropped at the end. Run: ``.venv/bin/python scripts/backup_drill.py``.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from prodstack import ROOT, Database, django_shell, environment, manage  # noqa: E402

CASES = 3
PHOTOS_PER_CASE = 2


# --- run inside ``manage.py shell`` (Django set up) -----------------------------------------


def create_cases():
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from palaute_plugin import actions
    from palaute_plugin.models import FeedbackCategory
    from palaute_plugin.photos.images import clean_photo

    category = FeedbackCategory.objects.get(service_code="katuvalaistus")
    for number in range(CASES):
        photos = []
        for order in range(PHOTOS_PER_CASE):
            buffer = io.BytesIO()
            Image.effect_noise((640, 480), 40 + 10 * order + number).convert("RGB").save(
                buffer, "JPEG")
            photos.append(clean_photo(ContentFile(buffer.getvalue(), name="kuva.jpg")))
        actions.submit_feedback(actions.Submission(
            category=category, message=f"Varmuuskopioharjoitus {number}: katuvalo ei pala.",
            address="Hallituskatu 12", contact_email=f"asukas{number}@example.com",
            photos=tuple(photos)))


def fingerprint():
    """Every case and the checksum of every photo file, as JSON on one line."""
    from palaute_plugin.models import Feedback

    cases = []
    for case in Feedback.objects.order_by("reference").prefetch_related("photos"):
        photos = []
        for photo in case.photos.order_by("sort_order"):
            files = {}
            for name in ("image", "thumbnail"):
                field_file = getattr(photo, name)
                with field_file.open("rb") as handle:
                    files[name] = hashlib.sha256(handle.read()).hexdigest()
            photos.append([photo.pk, photo.state, files])
        cases.append([case.pk, case.reference, case.status, case.message, photos])
    print(json.dumps(cases))


def staff_views():
    """Each case's staff page and photos through the admin views, as JSON on one line."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from palaute_plugin.models import Feedback, FeedbackPhoto
    from palaute_plugin.staff.viewsets import feedback_viewset

    client = Client(HTTP_HOST=os.environ["DJANGO_ALLOWED_HOSTS"], HTTP_X_FORWARDED_PROTO="https")
    client.force_login(get_user_model().objects.get(username="admin"))
    pages, photos = {}, {}
    for case in Feedback.objects.all():
        response = client.get(reverse(feedback_viewset.get_url_name("inspect"), args=[case.pk]))
        pages[case.reference] = [response.status_code, case.reference in response.text]
    for photo in FeedbackPhoto.objects.all():
        for size in ("full", "thumb"):
            url = reverse(feedback_viewset.get_url_name("photo"), args=[photo.pk, size])
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.status_code == 200 else b""
            photos[f"{photo.pk}-{size}"] = [response.status_code,
                                           hashlib.sha256(body).hexdigest()]
    print(json.dumps({"pages": pages, "photos": photos}))


# --- the drill ------------------------------------------------------------------------------


def in_django(env, function):
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            f"import backup_drill; backup_drill.{function}()")
    return django_shell(env, code)


def main():
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres"):
        sys.exit("backup_drill: set DATABASE_URL (PostgreSQL)")
    source, copy = (Database(base_url, f"drill_{name}_{os.getpid()}") for name in ("src", "copy"))
    redis_url = os.environ.get("REDIS_URL", "")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        photos_source, photos_copy, backup = folder / "photos", folder / "restored", folder / "b"
        photos_source.mkdir()
        env_source = environment(1, source.url, photos_source, redis_url)
        env_copy = {**env_source, "DATABASE_URL": copy.url,
                    "PALAUTE_PHOTO_ROOT": str(photos_copy)}
        source.create()
        try:
            manage(env_source, "migrate", "--noinput")
            manage(env_source, "createcachetable")  # without Redis, the database cache
            manage(env_source, "collectstatic", "--noinput")  # the manifest production reads
            manage(env_source, "palaute_demo", "--base-url", env_source["WAGTAILADMIN_BASE_URL"])
            in_django(env_source, "create_cases")
            before = json.loads(in_django(env_source, "fingerprint"))
            subprocess.run([str(ROOT / "scripts/backup.sh"), str(backup)], cwd=ROOT, env=env_source,
                           check=True)
            copy.create()
            subprocess.run([str(ROOT / "scripts/restore.sh"), str(backup)], cwd=ROOT, env=env_copy,
                           check=True)
            after = json.loads(in_django(env_copy, "fingerprint"))
            views = json.loads(in_django(env_copy, "staff_views"))
        finally:
            source.drop()
            copy.drop()
    return report(before, after, views)


def report(before, after, views):
    photos = [photo for case in before for photo in case[4]]
    expected = {f"{pk}-{size}": [200, files[name]] for pk, _state, files in photos
                for size, name in (("full", "image"), ("thumb", "thumbnail"))}
    checks = [
        (len([c for c in before if c[4]]) >= CASES, "cases with photos were created"),
        (after == before, "the restored cases and photo checksums equal the original"),
        (all(status == 200 and shown for status, shown in views["pages"].values())
         and len(views["pages"]) == len(before), "every case's staff page shows its reference"),
        (views["photos"] == expected, "every photo opens in the staff view with the same bytes"),
    ]
    print(f"backup drill: {len(before)} cases, {len(photos)} photos "
          f"({len(expected)} files) backed up and restored")
    for ok, what in checks:
        print(f"  {'OK    ' if ok else 'FAILED'} {what}")
    return all(ok for ok, _what in checks)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
