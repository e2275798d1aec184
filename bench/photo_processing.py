"""Time ``clean_photo()`` against the naive Pillow pipeline on a phone-like photo.

Run from the project root: ``.venv/bin/python bench/photo_processing.py``.
The target is a ratio (ours / naive) of at most 0.3 for the 12-megapixel JPEG.
"""

import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

from PIL import ExifTags, Image, ImageDraw, ImageOps

PHONE_SIZE = (4032, 3024)


def phone_like_jpeg(size=PHONE_SIZE, seed=4032):
    """A 12 Mpx JPEG (quality 90) with gradients, shapes and sensor-like noise.

    Its EXIF has orientation 6 (held sideways) and a GPS position, as a phone writes.
    """
    width, height = size
    gradient = Image.linear_gradient("L").resize(size)
    scene = Image.merge("RGB", (
        gradient,
        gradient.transpose(Image.Transpose.ROTATE_180),
        gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    ))
    draw = ImageDraw.Draw(scene)
    rng = random.Random(seed)
    for _ in range(400):
        x, y, diameter = rng.randrange(width), rng.randrange(height), rng.randrange(8, 400)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x, y, x + diameter, y + diameter), fill=colour)
    noise = Image.frombytes("L", size, os.urandom(width * height))
    photo = Image.blend(scene, Image.merge("RGB", (noise, noise, noise)), 0.12)

    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "BenchPhone"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (65.0, 50.0, 45.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (24.0, 8.0, 30.0),
    }
    output = io.BytesIO()
    photo.save(output, format="JPEG", quality=90, exif=exif.tobytes())
    return output.getvalue()


def naive_pipeline(data):
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    image.thumbnail((2560, 2560))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=85)
    return output.getvalue()


def _seconds(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _compare(name, ours, baseline, repeat):
    """Medians of interleaved runs, so that load from other processes hits both alike."""
    ours(), baseline()  # warm up: plugin imports, first allocations
    ours_times, baseline_times = [], []
    for _ in range(repeat):
        ours_times.append(_seconds(ours))
        baseline_times.append(_seconds(baseline))
    ours_median = statistics.median(ours_times)
    baseline_median = statistics.median(baseline_times)
    return name, ours_median, baseline_median, ours_median / baseline_median


def run(repeat=7):
    """Return rows of (name, ours_median_seconds, baseline_median_seconds, ratio)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from palaute_plugin.photos import images as photos

    data = phone_like_jpeg()

    def ours():
        return photos.clean_photo(SimpleUploadedFile("IMG_0001.jpg", data, "image/jpeg"))

    def baseline():
        return naive_pipeline(data)

    rows = [_compare("12 Mpx JPEG, orientation 6", ours, baseline, repeat)]

    default_fraction = photos.JPEG_DRAFT_MIN_EDGE_FRACTION
    photos.JPEG_DRAFT_MIN_EDGE_FRACTION = 1.0  # always store the full 2560 px edge
    try:
        rows.append(_compare("same, strict 2560 px edge", ours, baseline, repeat))
    finally:
        photos.JPEG_DRAFT_MIN_EDGE_FRACTION = default_fraction
    return rows


def _print_table(rows):
    print(f"{'case':<30} {'ours ms':>9} {'naive ms':>9} {'ratio':>6}")
    for name, ours, baseline, ratio in rows:
        print(f"{name:<30} {ours * 1000:>9.1f} {baseline * 1000:>9.1f} {ratio:>6.2f}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    import django

    django.setup()
    _print_table(run())
