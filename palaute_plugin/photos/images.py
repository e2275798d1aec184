"""Checking and cleaning photo files; no database, no storage.

``inspect_photo()`` is what a resident waits for: bytes, format and pixels from
the header, and a cheap check that the file is whole (no pixels decoded for a JPEG).
``clean_photo()`` (run by the worker) turns an upload into a :class:`CleanedPhoto`:
decoded with Pillow (a large HEIC straight with pillow-heif), checked against the
format allow-list and the byte and pixel caps, shrunk, made upright (on the small
image), flattened onto white where it has transparency, and re-encoded as a JPEG
with no metadata at all (EXIF with GPS, XMP, ICC profiles and comments are dropped).

Multi-frame files (animated WebP, APNG, MPO from phones with two cameras) are
accepted and only their first frame is kept: it is the photo itself for MPO and
a fair still for the rest.
"""

import functools
import hashlib
import io
import logging
import os
import re
import struct
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import ExifTags, Image, ImageFile, UnidentifiedImageError

from ..conf import palaute_setting

logger = logging.getLogger(__name__)

# Pillow's decoders that may look at an upload, and the formats they may report.
# MPO is how Pillow names a JPEG carrying a second picture (depth or wide-angle),
# as many phones write them; the JPEG decoder reports it.
DECODERS = ("JPEG", "PNG", "WEBP", "HEIF")
ALLOWED_FORMATS = ("JPEG", "MPO", "PNG", "WEBP", "HEIF")

JPEG_QUALITY = 85

# A JPEG can be decoded at 1/2, 1/4 or 1/8 scale almost for free, but only at those
# scales. Decoding at full size and then resizing costs three to four times as much,
# so we accept a stored edge down to this fraction of PHOTO_MAX_EDGE: a 12-megapixel
# phone photo (4032 px) is stored at 2016 px rather than 2560 px. Set it to 1.0 to
# always store the full PHOTO_MAX_EDGE when the source is large enough.
JPEG_DRAFT_MIN_EDGE_FRACTION = 0.75

# A HEIC cannot be decoded at reduced size (a 12-megapixel one costs about 0.4 s of
# CPU in libde265 whatever we ask for), but what comes after can be cheap: reducing
# by an integer factor (each k × k block of pixels averaged) costs a tenth of a
# bicubic resize, and is done band by band straight from libheif's buffer, so that
# no full-size Pillow image is made. We accept the same range of stored edges as for
# a JPEG: the same phone's 12-megapixel photo is stored at 2016 px as HEIC or JPEG.
# Set it to 1.0 to always store the full PHOTO_MAX_EDGE.
HEIF_REDUCE_MIN_EDGE_FRACTION = 0.75

# Source rows per band when reducing a HEIC (rounded to a multiple of the factor):
# a band of a 4032 px wide photo is 4 MB, and stays in the cache while it is reduced.
_HEIF_BAND_ROWS = 256

# What a broken or hostile file can make Pillow raise while decoding.
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, IndexError, struct.error)

_ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class CleanedPhoto:
    """A photo ready to store: JPEG bytes without metadata, and its size in pixels."""

    image: bytes
    thumbnail: bytes
    width: int
    height: int


def validate_photo_count(files):
    """Raise ``ValidationError`` when more than ``PALAUTE_MAX_PHOTOS`` files came in."""
    max_photos = palaute_setting("MAX_PHOTOS")
    if len(files) > max_photos:
        raise ValidationError(
            ngettext(
                "You can attach at most %(max)s photo. Remove some photos.",
                "You can attach at most %(max)s photos. Remove some photos.",
                max_photos,
            ),
            code="too_many_photos",
            params={"max": max_photos},
        )


def clean_upload(field_file, what):
    """``clean_photo`` of a stored upload (a ``FieldFile``), or None when it cannot be
    cleaned (logged as ``what``): a hostile file must fail, never loop forever."""
    try:
        with field_file.open("rb") as upload:
            return clean_photo(ContentFile(upload.read(), name="photo"))
    except Exception as error:  # noqa: BLE001 (whatever the decoder raises)
        logger.warning("%s could not be processed: %s", what, error)
        return None


def clean_photo(uploaded_file):
    """Check an uploaded file and return it as a :class:`CleanedPhoto`.

    Raises ``ValidationError`` naming the file when it is too big, not an allowed
    image format, has too many pixels, or cannot be decoded.
    """
    name = _display_name(uploaded_file)
    data = _read_capped(uploaded_file, name)
    if not data:
        raise _empty_error(name)
    image = _open(data, name)
    try:
        upright = _decode_upright(image, palaute_setting("PHOTO_MAX_EDGE"), data)
    except _DECODE_ERRORS:
        raise _damaged_error(name) from None
    # A box reduce does most of the way to a thumbnail at a fraction of the cost.
    thumbnail = _fit_within(upright, palaute_setting("PHOTO_THUMB_EDGE"), reducing_gap=1.0)
    return CleanedPhoto(
        image=_encode_jpeg(upright),
        thumbnail=_encode_jpeg(thumbnail),
        width=upright.width,
        height=upright.height,
    )


@dataclass(frozen=True)
class IncomingPhoto:
    """An upload that passed the quick checks; a task cleans it (``process_photo``)."""

    file: object  # the Django UploadedFile, stored as it is (a temporary file is moved)
    name: str
    pixels: int = 0  # width × height: what cleaning it will cost (validate_total_pixels)


def inspect_photo(uploaded_file):
    """The checks a resident waits for: bytes, format and pixels, and that the file is whole.

    Returns an :class:`IncomingPhoto`; full decoding and re-encoding happen in a task
    so that sending feedback stays fast. Raises ``ValidationError`` as ``clean_photo``.
    No pixels are decoded here for a JPEG (see ``_check_decodable``).
    """
    name = _display_name(uploaded_file)
    max_bytes = palaute_setting("PHOTO_MAX_BYTES")
    if uploaded_file.size is not None and uploaded_file.size > max_bytes:
        raise _too_big_error(name, uploaded_file.size, max_bytes)
    uploaded_file.seek(0, os.SEEK_END)  # the real size, whatever was reported
    if uploaded_file.tell() > max_bytes:
        raise _too_big_error(name, uploaded_file.tell(), max_bytes)
    if uploaded_file.tell() == 0:
        raise _empty_error(name)
    uploaded_file.seek(0)
    image = _open(uploaded_file, name)  # Pillow reads the header; the file is not closed
    pixels = image.width * image.height
    _check_decodable(image, name, uploaded_file)
    uploaded_file.seek(0)
    return IncomingPhoto(file=uploaded_file, name=name, pixels=pixels)


def uploads_digest(photos):
    """A digest of the photos' bytes, in order: ``IncomingPhoto``s (``inspect_photo``) by
    their upload, kept photos of an earlier try by their id. Tells a post sent again
    (Chromium keeps chosen files over Back) from one with other photos of the same count."""
    digest = hashlib.sha256()
    for photo in photos:
        upload = getattr(photo, "file", None)
        if upload is None:
            digest.update(f"kept:{photo.pk}".encode())
        else:
            upload.seek(0)
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
        digest.update(b"\0")
    return digest.hexdigest()


def validate_total_pixels(photos):
    """Refuse photos that together cost more to clean than ``PALAUTE_SUBMISSION_MAX_PIXELS``.

    ``photos`` are what ``inspect_photo`` returned; anything without a pixel count
    (an already cleaned photo) counts as nothing.
    """
    total = sum(getattr(photo, "pixels", 0) for photo in photos)
    max_pixels = palaute_setting("SUBMISSION_MAX_PIXELS")
    if total > max_pixels:
        raise ValidationError(
            _("Together the photos have too many pixels (%(total)s megapixels). The photos "
              "of one message can have at most %(max)s megapixels together; send fewer or "
              "smaller photos."),
            code="photos_too_many_pixels",
            params={"total": _megapixels(total), "max": _megapixels(max_pixels)},
        )


def _check_decodable(image, name, source):
    """Refuse a damaged or incomplete file cheaply, while the resident waits.

    No pixels are decoded for a JPEG: its markers are walked instead
    (``jpeg_structure_problem``), a few milliseconds for a phone photo where a decode
    even at 1/8 scale cost about fifty. A truncated upload (the usual damage) has no
    EOI after its scan data and is refused. A PNG's chunks are checked against their
    checksums without decompressing them (``verify()``). A truncated WebP fails already
    when opened. A HEIC has no cheap reduced decode (a full one costs about 0.25 s of CPU
    per 12 megapixels), so its box structure is walked instead: a truncated file has a
    last box reaching past the end of the file. Damage inside complete coded data is
    found by the worker when libjpeg or libheif report it as an error (the photo ends
    ``failed``: the resident's status page and the case's page say so); garbage that
    libjpeg only warns about is decoded as it is.
    """
    try:
        if image.format in ("JPEG", "MPO"):
            source.seek(0)
            problem = jpeg_structure_problem(source.read())
            if problem:
                logger.info("A JPEG upload was refused as damaged: %s", problem)
                raise _damaged_error(name)
        elif image.format == "PNG":
            image.verify()
        elif image.format == "HEIF" and not _boxes_complete(source):
            raise _damaged_error(name)
    except _DECODE_ERRORS:
        raise _damaged_error(name) from None


# Markers without a length: TEM and the restart markers RST0-RST7.
_JPEG_STANDALONE = frozenset((0x01, *range(0xD0, 0xD8)))
# Start of frame, for every coding process: all of 0xC0-0xCF but DHT, JPG and DAC.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_SOI, _JPEG_EOI, _JPEG_SOS = 0xD8, 0xD9, 0xDA
# In entropy-coded data a 0xFF is followed by 0x00 (a stuffed byte), a restart marker
# or another 0xFF (fill): any other byte after it is a marker, which ends the scan.
_JPEG_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def jpeg_structure_problem(data):
    """What is wrong with the structure of the JPEG ``data``, or ``None`` if nothing.

    Walks the markers without decoding anything: SOI first; each segment's length
    within the file; exactly one frame header (SOF) before the first scan, with a
    width and height of at least one pixel and a length matching its components; scan
    headers (SOS) matching theirs; entropy-coded data after them, searched for the
    next marker (a progressive JPEG has many scans, with tables between them); and an
    EOI ending the image. Whatever follows the EOI (an MPO's second picture, a phone
    maker's trailer) is not looked at: only the first picture is kept. Damage inside
    the entropy-coded data is not seen here.
    """
    end = len(data)
    if data[:2] != b"\xff\xd8":
        return "no SOI at the start"
    position, frame, coded = 2, None, 0
    while True:
        if position >= end:
            return "truncated: the file ends before an EOI"
        if data[position] != 0xFF:
            # Extraneous bytes before a marker: libjpeg skips them with a warning, and
            # so does this walk (a camera's segment length off by a few bytes).
            position = data.find(b"\xff", position)
            if position < 0:
                return "truncated: no marker after extraneous bytes"
        while position < end and data[position] == 0xFF:  # fill bytes may precede a marker
            position += 1
        if position >= end:
            return "truncated: the file ends inside a marker"
        code = data[position]
        position += 1
        if code == _JPEG_EOI:
            return None if frame and coded else "EOI before any image data"
        if code in _JPEG_STANDALONE:
            continue
        if code in (0x00, _JPEG_SOI):
            return f"marker 0x{code:02X} out of place at byte {position - 1}"
        if position + 2 > end:
            return "truncated: the file ends inside a segment's length"
        length = int.from_bytes(data[position:position + 2], "big")
        if length < 2 or position + length > end:
            return f"the length {length} of segment 0x{code:02X} runs past the end of the file"
        if code in _JPEG_SOF:
            if frame:
                return "a second frame header (SOF)"
            frame, problem = _jpeg_frame(data[position:position + length])
            if problem:
                return problem
        elif code == _JPEG_SOS:
            if not frame:
                return "a scan (SOS) before the frame header (SOF)"
            components = data[position + 2] if length > 2 else 0
            if not 1 <= components <= 4 or length != 6 + 2 * components:
                return "a scan header (SOS) of the wrong length"
            for index in range(components):
                selector, tables = data[position + 3 + 2 * index:position + 5 + 2 * index]
                if selector not in frame or tables >> 4 > 3 or tables & 0x0F > 3:
                    return "a scan header (SOS) naming a component or table that is not there"
            scan_start = position + length
            marker = _JPEG_SCAN_END.search(data, scan_start)
            if marker is None:
                return "truncated: the scan data runs to the end of the file, no EOI"
            coded += marker.start() - scan_start
            position = marker.start()
            continue
        position += length


def _jpeg_frame(segment):
    """A frame header's (SOF segment's, its length included) component ids, and what is
    wrong with it (``None`` if nothing): 8-bit samples, one to four components, each
    sampled 1-4 times each way and quantised by one of the four tables, a size of at
    least a pixel. libjpeg refuses the rest when it decodes, as it did in the request
    before this walk."""
    if len(segment) < 8:
        return None, "a frame header (SOF) too short"
    precision = segment[2]
    height = int.from_bytes(segment[3:5], "big")
    width = int.from_bytes(segment[5:7], "big")
    components = segment[7]
    if not 1 <= components <= 4 or len(segment) != 8 + 3 * components:
        return None, "a frame header (SOF) of the wrong length"
    if precision != 8:
        return None, f"{precision}-bit samples"
    if width < 1 or height < 1:
        return None, f"a frame of {width} x {height} pixels"
    ids = set()
    for index in range(components):
        component, sampling, table = segment[8 + 3 * index:11 + 3 * index]
        if not (1 <= sampling >> 4 <= 4 and 1 <= sampling & 0x0F <= 4) or table > 3:
            return None, f"component {component}: sampling 0x{sampling:02X}, table {table}"
        ids.add(component)
    return ids, None


def _boxes_complete(fp):
    """Whether the top-level ISO base media boxes of ``fp`` (HEIF) fit in the file.

    Reads only the 8 or 16 header bytes of each top-level box (``ftyp``, ``meta``,
    ``mdat``...): no decoding. A box size of 0 means "to the end of the file".
    """
    start = fp.tell()
    try:
        end = fp.seek(0, os.SEEK_END)
        position = 0
        while position < end:
            fp.seek(position)
            header = fp.read(16)
            if len(header) < 8:
                return False
            size = struct.unpack(">I", header[:4])[0]
            if size == 1:
                if len(header) < 16:
                    return False
                size = struct.unpack(">Q", header[8:16])[0]
            elif size == 0:
                return True
            if size < 8 or position + size > end:
                return False
            position += size
        return True
    finally:
        fp.seek(start)


@functools.cache
def _register_heif_opener():
    import pillow_heif

    pillow_heif.register_heif_opener()


def _display_name(uploaded_file):
    name = os.path.basename(getattr(uploaded_file, "name", "") or "") or _("photo")
    return Truncator(name).chars(80)


def _read_capped(uploaded_file, name):
    """Return the file's bytes; refuse by the reported size before reading any."""
    max_bytes = palaute_setting("PHOTO_MAX_BYTES")
    if uploaded_file.size is not None and uploaded_file.size > max_bytes:
        raise _too_big_error(name, uploaded_file.size, max_bytes)
    uploaded_file.seek(0)
    data = uploaded_file.read(max_bytes + 1)
    if len(data) > max_bytes:  # the reported size was wrong
        raise _too_big_error(name, len(data), max_bytes)
    return data


def _open(data, name):
    """Open the image's header only, and check its format and pixel count.

    ``data`` is bytes or a file object positioned at the start.
    """
    _register_heif_opener()
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        image = Image.open(source, formats=DECODERS)
    except UnidentifiedImageError:
        raise _not_accepted_error(name) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels_error(name) from None
    except _DECODE_ERRORS:
        raise _damaged_error(name) from None
    if image.format not in ALLOWED_FORMATS:
        raise _not_accepted_error(name)
    pixels = image.width * image.height
    if pixels > palaute_setting("PHOTO_MAX_PIXELS"):
        raise _too_many_pixels_error(name)
    # Only a JPEG can be decoded at reduced size; the rest cost their full size in
    # memory and time however small the file is (a 49-megapixel PNG: 581 MB).
    if image.format not in ("JPEG", "MPO") and pixels > palaute_setting(
            "PHOTO_MAX_FULL_DECODE_PIXELS"):
        raise _too_costly_error(name)
    return image


# Decoding and shrinking


def _decode_upright(image, max_edge, data=None):
    """Decode, shrink to ``max_edge`` and only then rotate upright: rotating is cheaper small.

    ``data`` is the file's bytes: a HEIC is decoded from them with pillow-heif directly
    (see ``_decode_heif_reduced``). Transparency is flattened onto white before shrinking:
    compositing is linear, so this is the same picture as shrinking with the alpha
    channel and flattening after, without Pillow's premultiplying of a full-size copy.
    """
    orientation = _orientation(image)
    if image.format in ("JPEG", "MPO"):
        _draft_jpeg(image, max_edge)
    elif image.format == "HEIF" and data is not None:
        image = _decode_heif_reduced(data, max_edge) or image
    image.load()
    image = _fit_within(_flatten_alpha(_to_workable_mode(image)), max_edge)
    if orientation in _ORIENTATION_TRANSPOSE:
        image = image.transpose(_ORIENTATION_TRANSPOSE[orientation])
    return _fresh_rgb(image)


def _orientation(image):
    # pillow-heif applies HEIF's own rotation when decoding and reports 1 here.
    try:
        return int(image.getexif().get(ExifTags.Base.Orientation, 1))
    except (TypeError, ValueError):
        return 1


def _draft_jpeg(image, max_edge):
    """Let libjpeg decode at the smallest 1/2, 1/4 or 1/8 scale that is still big enough.

    The caps are on the longest edge, which rotation does not change, so the draft
    size is worked out in the file's own orientation, before the EXIF rotation.
    """
    width, height = image.size
    min_edge = max_edge * JPEG_DRAFT_MIN_EDGE_FRACTION
    scale = next(s for s in (8, 4, 2, 1) if s == 1 or -(-max(width, height) // s) >= min_edge)
    if scale > 1:
        image.draft("RGB", (width // scale, height // scale))


def _reduce_factor(long_edge, max_edge, min_fraction):
    """The integer factor bringing ``long_edge`` within ``max_edge``, or 1.

    1 when the edge already fits, or when the reduced edge would be shorter than
    ``min_fraction`` × ``max_edge`` (a 3000 px photo is resized to 2560 px rather
    than reduced to 1500 px).
    """
    if long_edge <= max_edge:
        return 1
    factor = -(-long_edge // max_edge)
    return factor if -(-long_edge // factor) >= max_edge * min_fraction else 1


def _decode_heif_reduced(data, max_edge):
    """The HEIC's primary image decoded and reduced by an integer factor, or ``None``.

    ``None`` (decode as usual) when no factor applies (``_reduce_factor``) or the
    decoded image is not plain RGB (alpha, 16-bit): those are rare and take the
    general path. libheif applies the HEIF rotation and mirroring while decoding,
    as the Pillow plugin does. The reduced image is built band by band from
    libheif's buffer: a band is copied into Pillow, reduced and pasted, so the
    full-size picture exists only once (libheif's) instead of twice.
    """
    import pillow_heif

    heif = pillow_heif.open_heif(data, convert_hdr_to_8bit=True, remove_stride=False)
    frame = heif[heif.primary_index]
    factor = _reduce_factor(max(frame.size), max_edge, HEIF_REDUCE_MIN_EDGE_FRACTION)
    if factor == 1 or frame.mode != "RGB":
        return None
    try:
        pixels = memoryview(frame.data)  # decodes (the size may change while decoding)
    except RuntimeError as error:  # what pillow-heif raises for libheif's other errors
        raise OSError(str(error)) from None
    (width, height), stride = frame.size, frame.stride
    reduced = Image.new("RGB", (-(-width // factor), -(-height // factor)))
    band_rows = factor * max(1, _HEIF_BAND_ROWS // factor)
    for top in range(0, height, band_rows):
        bottom = min(height, top + band_rows)
        band = Image.frombuffer("RGB", (width, bottom - top), pixels[top * stride:bottom * stride],
                                "raw", "RGB", stride, 1)
        reduced.paste(band.reduce(factor), (0, top // factor))
    return reduced


def _to_workable_mode(image):
    """Bring any decoded mode to RGB, L, or RGBA/LA when there is transparency."""
    if image.mode in ("RGB", "L", "RGBA", "LA"):
        return image
    if image.mode.startswith("I"):  # 16-bit greyscale PNG
        return image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode in ("PA", "RGBa", "La") or "transparency" in image.info:
        return image.convert("RGBA")
    return image.convert("RGB")


def _fit_within(image, edge, reducing_gap=2.0):
    if max(image.size) <= edge:
        return image
    scale = edge / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BICUBIC, reducing_gap=reducing_gap)


def _flatten_alpha(image):
    """An RGBA or LA image composited onto white (as RGB or L); any other as it is."""
    if image.mode not in ("RGBA", "LA"):
        return image
    flat = Image.new(image.mode[:-1], image.size, "white")
    flat.paste(image, mask=image)  # the image's own alpha is the mask: one pass, no copies
    return flat


def _fresh_rgb(image):
    """An RGB image with the same pixels and nothing else: no ``info`` carries over.

    Never the decoded file object itself; a resized, rotated or flattened image is
    already a new object, and copying its pixels again would only cost time.
    """
    if image.mode != "RGB":
        fresh = image.convert("RGB")
    elif isinstance(image, ImageFile.ImageFile):
        fresh = image.copy()
    else:
        fresh = image
    fresh.info = {}
    return fresh


def _encode_jpeg(image):
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=JPEG_QUALITY, progressive=False, optimize=False)
    return output.getvalue()


# Errors: full sentences that name the file.


def _too_big_error(name, size, max_bytes):
    return ValidationError(
        _("“%(name)s” is too big (%(size)s). A photo can be at most %(max)s."),
        code="photo_too_big",
        params={"name": name, "size": filesizeformat(size), "max": filesizeformat(max_bytes)},
    )


def _empty_error(name):
    return ValidationError(
        _("“%(name)s” is empty: the file has no content. Choose the photo again."),
        code="photo_empty",
        params={"name": name},
    )


def _not_accepted_error(name):
    return ValidationError(
        _("“%(name)s” is not a photo we can accept. Use JPEG, PNG, WebP or HEIC."),
        code="photo_format",
        params={"name": name},
    )


def _megapixels(pixels):
    megapixels = pixels / 1_000_000
    decimals = 0 if round(megapixels, 1).is_integer() else 1
    return number_format(megapixels, decimal_pos=decimals)


def _too_many_pixels_error(name):
    return ValidationError(
        _("“%(name)s” has too many pixels. A photo can have at most %(megapixels)s megapixels."),
        code="photo_too_many_pixels",
        params={"name": name, "megapixels": _megapixels(palaute_setting("PHOTO_MAX_PIXELS"))},
    )


def _too_costly_error(name):
    return ValidationError(
        _("“%(name)s” has too many pixels for a PNG, WebP or HEIC photo. Such a photo can "
          "have at most %(megapixels)s megapixels; save it as a JPEG or make it smaller."),
        code="photo_too_many_pixels",
        params={"name": name,
                "megapixels": _megapixels(palaute_setting("PHOTO_MAX_FULL_DECODE_PIXELS"))},
    )


def _damaged_error(name):
    return ValidationError(
        _("“%(name)s” could not be read. The file may be damaged or incomplete."),
        code="photo_damaged",
        params={"name": name},
    )
