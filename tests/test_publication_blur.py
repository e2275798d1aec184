"""Blurred areas on the public copies of a publication's photos (publication/blur.py)."""

import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from PIL import Image, ImageStat

from palaute_plugin.models import FeedbackPhoto
from palaute_plugin.publication.blur import blur_image, format_areas, parse_areas
from palaute_plugin.publication.photos import PublicPhoto

from .publication_fixtures import approve, proposed

pytestmark = pytest.mark.django_db

EDIT = "wagtailsnippets_palaute_plugin_feedbackpublication:edit"


def checkerboard(size=(400, 300), square=4):
    """Sharp detail everywhere: a blurred area loses it, the rest keeps it."""
    image = Image.new("L", size)
    image.putdata([255 * (((x // square) + (y // square)) % 2)
                   for y in range(size[1]) for x in range(size[0])])
    return image.convert("RGB")


def detail(image, box):
    """The standard deviation of the grey values in ``box``: 0 is flat, 127 is sharp."""
    return ImageStat.Stat(image.convert("L").crop(box)).stddev[0]


# --- the moderator's lines ---------------------------------------------------------


def test_lines_become_fractions_of_the_chosen_photos():
    numbers = {1: 11, 2: 12}
    areas = parse_areas("1: 40 55 20 10\n\n2. 0,5 0 50% 25%\n1 0 0 100 100", numbers)
    assert areas == {"11": [[0.4, 0.55, 0.2, 0.1], [0.0, 0.0, 1.0, 1.0]],
                     "12": [[0.005, 0.0, 0.5, 0.25]]}
    assert parse_areas(format_areas(areas, numbers), numbers) == areas
    assert parse_areas("", numbers) == {}


@pytest.mark.parametrize(("text", "code"), [
    ("1: 40 55 20", "blur_syntax"),
    ("kuva 1: 40 55 20 10", "blur_syntax"),
    ("3: 40 55 20 10", "blur_photo"),
    ("1: 90 10 20 10", "blur_range"),
    ("1: 10 10 0 10", "blur_range"),
    ("1: -5 10 20 10", "blur_range"),
])
def test_bad_lines_are_refused_naming_the_line(text, code):
    for language, word in (("fi", "Rivi 2"), ("sv", "Rad 2"), ("en", "Line 2")):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            parse_areas("1: 0 0 10 10\n" + text, {1: 11, 2: 12})
        assert refused.value.code == code
        assert refused.value.messages[0].startswith(word)


def test_an_area_loses_its_detail_and_the_rest_keeps_it():
    image = checkerboard()
    blurred = blur_image(image, [[0.25, 0.25, 0.5, 0.5]])
    inside, outside = (120, 95, 280, 205), (0, 0, 90, 70)
    assert detail(image, inside) > 120
    assert detail(blurred, inside) < 15
    assert detail(blurred, outside) == detail(image, outside)
    assert blurred.size == image.size


# --- publishing ---------------------------------------------------------------------


def add_detailed_photo(case):
    buffer = io.BytesIO()
    checkerboard().save(buffer, "JPEG", quality=95)
    photo = FeedbackPhoto(feedback=case, width=400, height=300, sort_order=0)
    photo.image.save("orig.jpg", ContentFile(buffer.getvalue()), save=False)
    photo.thumbnail.save("orig_t.jpg", ContentFile(buffer.getvalue()), save=False)
    photo.save()
    return photo


def read(field_file):
    with field_file.open("rb") as handle:
        return handle.read()


def publish(publication, moderator, photo, areas):
    publication.photo_ids = [photo.pk]
    publication.blur_areas = {str(photo.pk): areas} if areas else {}
    publication.save_revision(user=moderator)
    with TestCase.captureOnCommitCallbacks(execute=True):
        if publication.live:
            publication.get_latest_revision().publish(user=moderator)
        else:
            approve(publication, moderator)
    return PublicPhoto.objects.get(publication=publication)


def test_the_public_copy_is_blurred_and_the_original_untouched(
        workflow, handler, moderator, personal_case):
    photo = add_detailed_photo(personal_case)
    original = hashlib.sha256(read(photo.image)).hexdigest()
    publication = proposed(personal_case, handler)
    copy = publish(publication, moderator, photo, [[0.25, 0.25, 0.5, 0.5]])
    public = Image.open(io.BytesIO(read(copy.image)))
    assert detail(public, (120, 95, 280, 205)) < 15
    assert detail(public, (0, 0, 90, 70)) > 100
    assert not public.getexif() and "exif" not in public.info
    thumbnail = Image.open(io.BytesIO(read(copy.thumbnail)))
    assert max(thumbnail.size) <= 480
    assert hashlib.sha256(read(photo.image)).hexdigest() == original

    # Other areas: a new copy under a new name, the old files gone.
    old_name = copy.image.name
    second = publish(publication, moderator, photo, [[0.0, 0.0, 0.2, 0.2]])
    assert second.token != copy.token
    assert not copy.image.storage.exists(old_name)
    # No areas: the copy is the cleaned photo as it is.
    third = publish(publication, moderator, photo, [])
    assert read(third.image) == read(photo.image)


def test_the_moderator_sets_areas_on_the_form_and_bad_lines_save_nothing(
        workflow, client, handler, moderator, personal_case):
    photo = add_detailed_photo(personal_case)
    publication = proposed(personal_case, handler)
    client.force_login(moderator)
    page = client.get(reverse(EDIT, args=[publication.pk])).content.decode()
    assert 'data-photo-number="1"' in page and "blur-areas.js" in page
    data = {"title": publication.title, "text": publication.text, "public_answer": "",
            "category": publication.category_id, "kind": "feedback", "language": "fi",
            "latitude": "65.846", "longitude": "24.144", "photos": [photo.pk]}
    refused = client.post(reverse(EDIT, args=[publication.pk]),
                          {**data, "blurred_areas": "1: 90 10 20 10"})
    assert refused.status_code == 200
    assert "Line 1: the area must lie within the photo" in refused.content.decode()
    publication.refresh_from_db()
    assert publication.get_latest_revision().as_object().blur_areas == {}
    saved = client.post(reverse(EDIT, args=[publication.pk]),
                        {**data, "blurred_areas": "1: 10 20 30 40"})
    assert saved.status_code == 302
    publication.refresh_from_db()
    latest = publication.get_latest_revision().as_object()
    assert latest.blur_areas == {str(photo.pk): [[0.1, 0.2, 0.3, 0.4]]}
    again = client.get(reverse(EDIT, args=[publication.pk])).content.decode()
    assert "1: 10 20 30 40" in again


def test_the_preview_shows_the_blurred_copy(workflow, client, handler, moderator,
                                            personal_case):
    photo = add_detailed_photo(personal_case)
    publication = proposed(personal_case, handler)
    publication.photo_ids = [photo.pk]
    publication.blur_areas = {str(photo.pk): [[0.25, 0.25, 0.5, 0.5]]}
    context = publication.get_preview_context(None, "")
    assert context["photos"][0][0].startswith("data:image/jpeg;base64,")
