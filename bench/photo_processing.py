"""Time ``clean_photo()`` (the worker's work) against the naive Pillow pipeline.

Usage: ``.venv/bin/python -m bench.photo_processing [--strict]``

Like with like: the naive pipeline (open, ``exif_transpose``, ``thumbnail``,
save, and the same for the thumbnail) is asked for exactly the long edges that
ours produced, so both write the same number of pixels. The sources are what
phones send: a 12-megapixel JPEG with EXIF orientation 6 and GPS, the same
scene as HEIC (iPhone) and a PNG screenshot. The two pipelines run in turns
(see ``bench.common``). Peak memory is the growth of the process's resident
set (``VmHWM`` after resetting it through ``/proc/self/clear_refs``) over one
run in a forked child, so that Pillow's C allocations, which ``tracemalloc``
does not see, are counted and neither side inherits the other's freed blocks.
Each row's note also gives CPU time (``time.process_time``, all threads): photos/s
for a worker process with a core to itself, and the ratio by CPU time, which a busy
shared machine disturbs less than the wall-clock ratio.

A fourth source is the screenshot with a see-through background (RGBA), which
ours composites onto white and the naive pipeline's ``convert("RGB")`` merely
drops (so the naive side does less than a correct result needs).

Aims (ours / naive at equal output size): JPEG ≤ 0.3, HEIC and PNG ≤ 0.6. A row
missing its aim is flagged; ``--strict`` exits non-zero then. A further row
compares JPEG with a naive pipeline that adds one ``draft()`` line (aim 1.0:
ours must not lose to it), and another HEIC with a naive pipeline that lets
``thumbnail()`` reduce by a whole factor (``reducing_gap=1.0``): ours stores a
12-megapixel HEIC at 2016 px by a 2 × 2 reduce, a choice the naive pipeline can
make as well, so only that row shows what ours saves beyond the choice. For HEIC and
PNG a row times the decoding alone against the naive pipeline: the floor of any pipeline
that decodes the whole image (libheif and libpng decode at full size only).
"""

import io
import os
import random
import statistics
import sys
import time

from PIL import ExifTags, Image, ImageDraw, ImageOps

from bench.common import Row, time_in_turns

PHONE_SIZE = (4032, 3024)
SCREENSHOT_SIZE = (1290, 2796)  # an iPhone 15 Pro screenshot
AIMS = {"JPEG": 0.3, "HEIC": 0.6, "PNG": 0.6}


def phone_scene(size=PHONE_SIZE, seed=4032):
    """Gradients, shapes and sensor-like noise: compresses as a phone photo does."""
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
    noise = Image.frombytes("L", size, rng.randbytes(width * height))
    return Image.blend(scene, Image.merge("RGB", (noise, noise, noise)), 0.06)


def phone_exif(orientation=6):
    """EXIF as a phone writes it: held sideways, with a GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "BenchPhone"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (65.0, 50.0, 45.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (24.0, 8.0, 30.0),
    }
    return exif


def phone_like_jpeg(size=PHONE_SIZE):
    """A 12 Mpx JPEG (quality 90, about 4 MB) with EXIF orientation 6 and GPS."""
    output = io.BytesIO()
    phone_scene(size).save(output, format="JPEG", quality=90, exif=phone_exif().tobytes())
    return output.getvalue()


def phone_like_heic(size=PHONE_SIZE):
    """The same scene as an iPhone HEIC (EXIF with GPS; HEIF rotation applied by libheif)."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    output = io.BytesIO()
    # x265's fastest preset: the file is as big as a phone's, made in seconds, not minutes.
    phone_scene(size).save(output, format="HEIF", quality=60, enc_params={"preset": "ultrafast"},
                           exif=phone_exif(1).tobytes())
    return output.getvalue()


def screenshot_png(size=SCREENSHOT_SIZE, seed=1290, transparent=False):
    """A phone screenshot: flat panels, text-like strokes and a photo thumbnail.

    ``transparent``: the background is see-through (RGBA), as in an exported graphic.
    """
    width, height = size
    rng = random.Random(seed)
    image = Image.new("RGBA" if transparent else "RGB", size,
                      (246, 246, 248, 0) if transparent else (246, 246, 248))
    draw = ImageDraw.Draw(image)
    for top in range(200, height - 200, 180):
        draw.rounded_rectangle((40, top, width - 40, top + 150), 24, fill=(255, 255, 255))
        for line in range(3):
            y = top + 30 + line * 38
            draw.rectangle((80, y, 80 + rng.randrange(300, width - 200), y + 18),
                           fill=(40, 40, 50))
    image.paste(phone_scene((width - 80, 900), seed).resize((width - 80, 900)), (40, 1200))
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def naive_pipeline(data, edge, thumb_edge, draft=False, reducing_gap=2.0):
    """The textbook way: decode, turn upright, shrink, save; the same for the thumbnail.

    ``reducing_gap=1.0`` lets ``thumbnail()`` shrink by a whole factor with a box
    reduce alone where that reaches the size (a 4032 px HEIC to 2016 px), as ours does.
    """
    image = Image.open(io.BytesIO(data))
    if draft:  # the smallest libjpeg scale that still covers the output size
        scale = edge / max(image.size)
        image.draft("RGB", (round(image.width * scale), round(image.height * scale)))
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((edge, edge), reducing_gap=reducing_gap)
    thumbnail = image.copy()
    thumbnail.thumbnail((thumb_edge, thumb_edge), reducing_gap=reducing_gap)
    return _save(image), _save(thumbnail)


def decode_alone(data):
    """Only the decoding: what any pipeline pays before it can shrink (libheif and
    libpng offer no decoding at a reduced size, as libjpeg's DCT scaling does)."""
    from palaute_plugin.photos import images as photos

    photos._register_heif_opener()
    with Image.open(io.BytesIO(data)) as image:
        image.load()


def _save(image):
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=85)
    return output.getvalue()


def peak_memory_mb(pipeline, data, *args):
    """Peak resident memory growth of one ``pipeline(data, *args)`` call, in MB.

    Measured in a fresh interpreter: Pillow keeps freed image blocks for reuse, so a
    process that has run either pipeline before would hide the other's allocations.
    """
    import json
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".bin") as source:
        source.write(data)
        source.flush()
        script = ("import json, sys; from bench import photo_processing as p; "
                  f"print(json.dumps(p._measure({pipeline!r}, {source.name!r}, "
                  f"{list(args)!r})))")
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                check=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    return json.loads(result.stdout.splitlines()[-1])


def _measure(pipeline, path, args):
    """Run in the child of ``peak_memory_mb``: the VmHWM growth over one run (Linux)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    django.setup()
    with open(path, "rb") as source:
        data = source.read()
    function = PIPELINES[pipeline]
    function(data, *args)  # imports and one-time set-up are not the pipeline's memory
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # resets VmHWM to the current resident set
    before = _status_kb("VmRSS")
    function(data, *args)
    return (_status_kb("VmHWM") - before) / 1024


def _status_kb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds(function, repeat=5):
    """Median CPU time of ``function()`` (every thread of the process): what one worker
    process spends per photo whatever else the machine is doing."""
    samples = []
    for _ in range(repeat):
        start = time.process_time()
        function()
        samples.append(time.process_time() - start)
    return statistics.median(samples)


def ours_pipeline(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from palaute_plugin.photos import images as photos

    return photos.clean_photo(SimpleUploadedFile(name, data))


PIPELINES = {"ours": ours_pipeline, "naive": naive_pipeline}


def run(repeat=7):
    """Rows (``bench.common.Row``) of ours against the naive pipeline per format."""
    from palaute_plugin.conf import palaute_setting

    thumb_edge = palaute_setting("PHOTO_THUMB_EDGE")
    # The naive pipeline's convert("RGB") drops the alpha channel (what was see-through
    # comes out in whatever colour it hides, often black); ours composites onto white.
    sources = {"JPEG": ("IMG_0001.JPG", phone_like_jpeg(), "12 Mpx, EXIF orientation 6 + GPS"),
               "HEIC": ("IMG_0002.HEIC", phone_like_heic(), "12 Mpx"),
               "PNG": ("IMG_0003.PNG", screenshot_png(), "1290×2796 screenshot"),
               "PNG RGBA": ("IMG_0004.PNG", screenshot_png(transparent=True),
                            "1290×2796, see-through")}
    rows = []
    for kind, (name, data, description) in sources.items():
        def ours(name=name, data=data):
            return ours_pipeline(data, name)

        cleaned = ours()
        edge = max(cleaned.width, cleaned.height)

        def naive(data=data, edge=edge):
            return naive_pipeline(data, edge, thumb_edge)

        assert max(Image.open(io.BytesIO(naive()[0])).size) == edge
        medians = time_in_turns({"ours": ours, "naive": naive}, repeat, warmup=1)
        memory = (peak_memory_mb("ours", data, name),
                  peak_memory_mb("naive", data, edge, thumb_edge))
        cpu = (cpu_seconds(ours), cpu_seconds(naive))
        rows.append(Row(
            f"{kind} {description} → {edge} px", medians["ours"], medians["naive"],
            AIMS[kind.split()[0]],
            note=(f"{len(data) / 1e6:.1f} MB in; peak memory ours {memory[0]:.0f} MB, naive "
                  f"{memory[1]:.0f} MB; {1 / medians['ours']:.1f} photos/s per process; "
                  f"by CPU time (a core to itself) {1 / cpu[0]:.1f}/s, ratio "
                  f"{cpu[0] / cpu[1]:.2f}")))
        if kind == "JPEG":
            def drafted(data=data, edge=edge):
                return naive_pipeline(data, edge, thumb_edge, draft=True)

            medians = time_in_turns({"ours": ours, "drafted": drafted}, repeat, warmup=1)
            rows.append(Row(f"{kind} vs naive with one draft() line", medians["ours"],
                            medians["drafted"], 1.0))
        if kind in ("HEIC", "PNG"):
            def decoded(data=data):
                return decode_alone(data)

            medians = time_in_turns({"decoded": decoded, "naive": naive}, repeat, warmup=1)
            rows.append(Row(f"{kind}: decoding alone, the floor of any pipeline, vs naive",
                            medians["decoded"], medians["naive"], None,
                            note=f"no pipeline that decodes the whole image gets below "
                                 f"{medians['decoded'] / medians['naive']:.2f} of the naive"))
        if kind == "HEIC":
            def reduced(data=data, edge=edge):
                return naive_pipeline(data, edge, thumb_edge, reducing_gap=1.0)

            medians = time_in_turns({"ours": ours, "reduced": reduced}, repeat, warmup=1)
            rows.append(Row(f"{kind} vs naive with thumbnail(reducing_gap=1.0)", medians["ours"],
                            medians["reduced"], 1.0))
    return rows


def main():
    from bench.common import exit_status, print_rows

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    import django

    django.setup()
    rows = run()
    print_rows("Photos: clean_photo() vs the naive pipeline at equal output size "
               "(median of 7, in turns)", rows, base_label="naive ms")
    sys.exit(exit_status(rows, "--strict" in sys.argv))


if __name__ == "__main__":
    main()
