"""Photos kept across a re-shown form (photos/pending.py): stored cleaned under a signed key,
shown as thumbnails with "remove", attached by the next valid post, swept when left."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from palaute_plugin import tasks
from palaute_plugin.conf import palaute_setting
from palaute_plugin.models import Feedback, FeedbackPhoto
from palaute_plugin.photos import pending
from palaute_plugin.photos.pending import PendingPhoto
from tests.factories import CategoryFactory, feedback_page
from tests.test_public_form import form_data, jpeg_file, post

pytestmark = pytest.mark.django_db

PENDING_RE = re.compile(r'name="pending_photos" value="([^"]+)"')


@pytest.fixture
def page():
    return feedback_page()


@pytest.fixture
def category(responsible):
    return CategoryFactory(responsible_person=responsible)


def reshown_with_photos(client, page, category, count=1):
    photos = [jpeg_file(f"kuva{number}.jpg") for number in range(count)]
    response = post(client, page, form_data(category, message="lyhyt", photos=photos))
    assert response.status_code == 400
    return response, PENDING_RE.search(response.content.decode()).group(1)


def test_an_error_keeps_the_photos_cleaned_and_shows_them(client, page, category):
    response, key = reshown_with_photos(client, page, category, count=2)
    html = response.content.decode()
    rows = list(PendingPhoto.objects.order_by("pk"))
    assert [(row.name, row.state, row.upload.name) for row in rows] == [
        ("kuva0.jpg", "ready", ""), ("kuva1.jpg", "ready", "")]
    assert "Kuvasi (2) on tallessa" in html
    assert f'id="remove-photo-{rows[0].pk}"' in html
    # Shown again once cleaned (here the tasks run after the answer is written).
    html = post(client, page, form_data(category, message="lyhyt",
                                        pending_photos=key)).content.decode()
    assert f'src="/palaute/lomakekuvat/{rows[0].pk}/?key=' in html
    thumbnail = client.get(f"/palaute/lomakekuvat/{rows[0].pk}/", {"key": key})
    assert thumbnail.status_code == 200
    assert thumbnail["Content-Type"] == "image/jpeg"
    assert "no-store" in thumbnail["Cache-Control"]
    url = f"/palaute/lomakekuvat/{rows[0].pk}/"
    assert client.get(url, {"key": key + "x"}).status_code == 404
    assert client.get(url).status_code == 404
    assert client.get(url, {"key": pending.sign_batch(pending.new_batch())}).status_code == 404


def test_the_next_valid_post_attaches_the_kept_photos_and_new_ones(client, page, category):
    _response, key = reshown_with_photos(client, page, category)
    files = [row.image.name for row in PendingPhoto.objects.all()]
    response = post(client, page, form_data(category, pending_photos=key,
                                            photos=[jpeg_file("uusi.jpg")]))
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert list(feedback.photos.values_list("state", flat=True)) == ["ready", "ready"]
    assert not PendingPhoto.objects.exists()
    storage = FeedbackPhoto._meta.get_field("image").storage
    assert not any(storage.exists(name) for name in files)


def test_a_ticked_photo_is_removed(client, page, category):
    _response, key = reshown_with_photos(client, page, category, count=2)
    first, second = PendingPhoto.objects.order_by("pk")
    response = post(client, page, form_data(category, message="lyhyt", pending_photos=key,
                                            remove_photo=[str(first.pk)]))
    assert response.status_code == 400
    assert list(PendingPhoto.objects.values_list("pk", flat=True)) == [second.pk]
    assert f'id="remove-photo-{first.pk}"' not in response.content.decode()
    post(client, page, form_data(category, pending_photos=key, remove_photo=[str(second.pk)]))
    assert Feedback.objects.get().photos.count() == 0


def test_kept_and_new_photos_together_respect_the_limit(client, page, category, settings):
    settings.PALAUTE_MAX_PHOTOS = 2
    _response, key = reshown_with_photos(client, page, category, count=2)
    response = post(client, page, form_data(category, pending_photos=key,
                                            photos=[jpeg_file("kolmas.jpg")]))
    assert response.status_code == 400
    assert "Voit liittää enintään 2 kuvaa" in response.content.decode()
    assert PendingPhoto.objects.count() == 2
    assert not Feedback.objects.exists()


def test_a_forged_or_foreign_key_brings_no_photos(client, page, category):
    reshown_with_photos(client, page, category)
    response = post(client, page, form_data(category, pending_photos="forged:key"))
    assert response.status_code == 302
    assert Feedback.objects.get().photos.count() == 0


def test_the_sweep_deletes_photos_of_forms_never_sent(client, page, category, settings):
    reshown_with_photos(client, page, category)
    raw = PendingPhoto.objects.create(batch="b" * 32, name="raaka.jpg", upload="pending/x.upload")
    old = timezone.now() - timedelta(seconds=palaute_setting("FORM_MAX_AGE_SECONDS"))
    tasks.process_pending_photos()
    assert PendingPhoto.objects.count() == 2  # both fresh
    PendingPhoto.objects.filter(pk=raw.pk).update(created_at=timezone.now()
                                                  - timedelta(minutes=16))
    tasks.process_pending_photos()
    assert PendingPhoto.objects.count() == 1  # the raw one past 15 minutes
    PendingPhoto.objects.update(created_at=old - timedelta(seconds=1))
    tasks.process_pending_photos()
    assert not PendingPhoto.objects.exists()


def test_photos_too_big_together_are_not_kept(client, page, category, settings):
    settings.PALAUTE_SUBMISSION_MAX_PIXELS = 64 * 48 * 2 - 1
    response = post(client, page, form_data(category, photos=[jpeg_file("a.jpg"),
                                                              jpeg_file("b.jpg")]))
    assert response.status_code == 400
    assert not PendingPhoto.objects.exists()
