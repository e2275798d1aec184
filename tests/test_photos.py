"""Photo checking, cleaning and storing (palaute_plugin/photos/). Every image is made here."""

import base64
import functools
import io
import re
import struct
import warnings
import zlib

import pillow_heif
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import ExifTags, Image, ImageCms, ImageFile, ImageOps

from palaute_plugin.models import FeedbackPhoto
from palaute_plugin.photos import images as photos
from palaute_plugin.photos.images import clean_photo, inspect_photo, validate_photo_count
from palaute_plugin.photos.store import save_photos

from .factories import FeedbackFactory

RED, GREEN, BLUE, YELLOW = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)
GPS_LATITUDE = (65.0, 50.0, 45.0)
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b"<rdf:Description>secret-xmp-place</rdf:Description></rdf:RDF></x:xmpmeta>"
)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Public media beside the private photo root, to show nothing is written there."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True, scope="module")
def _heif():
    """The tests write HEIC files too (the app registers the opener when it reads one)."""
    pillow_heif.register_heif_opener()


# Making images


def quadrants(size=(400, 200)):
    """Red top left, green top right, blue bottom left, yellow bottom right."""
    width, height = size
    image = Image.new("RGB", size, YELLOW)
    image.paste(RED, (0, 0, width // 2, height // 2))
    image.paste(GREEN, (width // 2, 0, width, height // 2))
    image.paste(BLUE, (0, height // 2, width // 2, height))
    return image


def phone_exif(orientation=6):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "SecretPhoneMaker"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: GPS_LATITUDE,
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (24.0, 8.0, 30.0),
    }
    return exif


def encode(image, image_format, **options):
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def phone_jpeg(image=None, orientation=6):
    """A JPEG as a phone writes it: EXIF with orientation and GPS, XMP, ICC, a comment."""
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encode(
        image or quadrants(), "JPEG", quality=95, exif=phone_exif(orientation).tobytes(),
        xmp=XMP, icc_profile=srgb, comment=b"secret-comment",
    )


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_header_only(width, height, colour_type=0):
    """A PNG that claims a size and carries next to no pixel data (never decoded here).

    ``colour_type`` 0 is greyscale, 6 is RGBA.
    """

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def close_to(pixel, colour, tolerance=60):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def quadrant_colours(image):
    width, height = image.size
    points = [(width // 4, height // 4), (3 * width // 4, height // 4),
              (width // 4, 3 * height // 4), (3 * width // 4, 3 * height // 4)]
    return [image.convert("RGB").getpixel(point) for point in points]


def assert_no_metadata(jpeg):
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG"
    assert not image.getexif()
    for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "photoshop"):
        assert key not in image.info
    assert [marker for marker, _ in image.applist] == ["APP0"]  # only Pillow's JFIF header
    for secret in (b"Exif", b"secret-xmp-place", b"SecretPhoneMaker", b"secret-comment",
                   b"http://ns.adobe.com/xap/1.0/", b"ICC_PROFILE"):
        assert secret not in jpeg


def assert_rejected(uploaded_file, code):
    """Both the quick check the resident waits for and the full clean refuse the file."""
    with pytest.raises(ValidationError) as quick:
        inspect_photo(uploaded_file)
    assert quick.value.code == code
    assert uploaded_file.name in quick.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        clean_photo(uploaded_file)
    assert caught.value.code == code
    message = caught.value.messages[0]
    assert isinstance(message, str)
    assert uploaded_file.name in message
    return message


# Cleaning


def test_phone_jpeg_is_upright_and_stripped_of_metadata():
    source = phone_jpeg(orientation=6)
    original = Image.open(io.BytesIO(source))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test file does carry GPS
    assert "xmp" in original.info and "icc_profile" in original.info

    cleaned = clean_photo(upload(source))

    assert (cleaned.width, cleaned.height) == (200, 400)
    result = Image.open(io.BytesIO(cleaned.image))
    assert result.size == (200, 400)
    # Orientation 6: turn a quarter clockwise. Stored top left goes to the top right.
    top_left, top_right, bottom_left, bottom_right = quadrant_colours(result)
    assert close_to(top_left, BLUE)
    assert close_to(top_right, RED)
    assert close_to(bottom_left, YELLOW)
    assert close_to(bottom_right, GREEN)
    assert_no_metadata(cleaned.image)
    assert_no_metadata(cleaned.thumbnail)
    assert result.info.get("progressive") is None


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_matches_pillow(orientation):
    source = phone_jpeg(orientation=orientation)
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(source)))

    cleaned = clean_photo(upload(source))

    result = Image.open(io.BytesIO(cleaned.image))
    assert result.size == expected.size
    for got, want in zip(quadrant_colours(result), quadrant_colours(expected), strict=True):
        assert close_to(got, want)


@pytest.mark.parametrize(
    ("image_format", "name", "options"),
    [
        ("PNG", "kuva.png", {}),
        ("WEBP", "kuva.webp", {"quality": 95}),
        ("HEIF", "IMG_0001.HEIC", {"quality": 95}),
    ],
)
def test_png_webp_and_heic_are_accepted_and_stripped(image_format, name, options):
    source = encode(quadrants(), image_format, exif=phone_exif(orientation=1).tobytes(),
                    xmp=XMP, **options)
    assert Image.open(io.BytesIO(source)).getexif()  # the test file does carry EXIF

    cleaned = clean_photo(upload(source, name=name, content_type="application/octet-stream"))

    assert (cleaned.width, cleaned.height) == (400, 200)
    result = Image.open(io.BytesIO(cleaned.image))
    for got, want in zip(quadrant_colours(result), [RED, GREEN, BLUE, YELLOW], strict=True):
        assert close_to(got, want)
    assert_no_metadata(cleaned.image)


def test_heic_rotation_is_applied_once():
    # pillow-heif stores the EXIF orientation as HEIF's own rotation and applies it on decoding.
    source = encode(quadrants(), "HEIF", quality=95, exif=phone_exif(orientation=6).tobytes())

    cleaned = clean_photo(upload(source, name="IMG_0002.HEIC", content_type="image/heic"))

    assert (cleaned.width, cleaned.height) == (200, 400)
    top_left, top_right, *_ = quadrant_colours(Image.open(io.BytesIO(cleaned.image)))
    assert close_to(top_left, BLUE)
    assert close_to(top_right, RED)


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGBA", (40, 20), (255, 0, 0, 0)),
        Image.new("LA", (40, 20), (0, 0)),
        Image.new("P", (40, 20)),
        Image.new("1", (40, 20), 1),
        Image.new("I;16", (40, 20), 65535),
    ],
    ids=lambda image: image.mode,
)
def test_png_modes_become_rgb_on_white(image):
    if image.mode == "P":
        image.info["transparency"] = 0

    cleaned = clean_photo(upload(encode(image, "PNG"), name="kuva.png"))

    result = Image.open(io.BytesIO(cleaned.image))
    assert result.mode == "RGB"
    assert close_to(result.getpixel((20, 10)), (255, 255, 255), tolerance=8)


def test_cmyk_jpeg_is_converted_to_rgb():
    cleaned = clean_photo(upload(encode(Image.new("CMYK", (40, 20), (0, 255, 255, 0)), "JPEG")))

    result = Image.open(io.BytesIO(cleaned.image))
    assert result.mode == "RGB"
    assert close_to(result.getpixel((20, 10)), RED)


def test_large_photo_is_downscaled_with_a_thumbnail():
    cleaned = clean_photo(upload(encode(quadrants((5000, 2000)), "PNG"), name="iso.png"))

    assert (cleaned.width, cleaned.height) == (2560, 1024)
    assert Image.open(io.BytesIO(cleaned.image)).size == (2560, 1024)
    assert Image.open(io.BytesIO(cleaned.thumbnail)).size == (480, 192)


def test_small_photo_is_not_upscaled():
    cleaned = clean_photo(upload(encode(quadrants((300, 200)), "PNG"), name="pieni.png"))

    assert (cleaned.width, cleaned.height) == (300, 200)
    assert Image.open(io.BytesIO(cleaned.thumbnail)).size == (300, 200)


def test_phone_sized_jpeg_is_decoded_at_reduced_scale_and_upright():
    source = phone_jpeg(quadrants((4032, 3024)), orientation=6)

    cleaned = clean_photo(upload(source))

    # Half-scale JPEG decoding (see JPEG_DRAFT_MIN_EDGE_FRACTION), then rotated.
    assert (cleaned.width, cleaned.height) == (1512, 2016)
    top_left, top_right, bottom_left, bottom_right = quadrant_colours(
        Image.open(io.BytesIO(cleaned.image))
    )
    assert close_to(top_right, RED) and close_to(top_left, BLUE)
    assert close_to(bottom_right, GREEN) and close_to(bottom_left, YELLOW)
    assert max(Image.open(io.BytesIO(cleaned.thumbnail)).size) == 480
    assert_no_metadata(cleaned.image)


def test_strict_edge_keeps_the_full_max_edge(monkeypatch):
    monkeypatch.setattr(photos, "JPEG_DRAFT_MIN_EDGE_FRACTION", 1.0)

    cleaned = clean_photo(upload(phone_jpeg(quadrants((4032, 3024)), orientation=6)))

    assert (cleaned.width, cleaned.height) == (1920, 2560)


def test_multi_frame_files_keep_their_first_frame():
    frames = [Image.new("RGB", (40, 20), colour) for colour in (RED, GREEN, BLUE)]
    for image_format, name in (("WEBP", "anim.webp"), ("PNG", "anim.png"), ("MPO", "kaksi.jpg")):
        source = encode(frames[0], image_format, save_all=True, append_images=frames[1:])
        assert Image.open(io.BytesIO(source)).n_frames == 3

        cleaned = clean_photo(upload(source, name=name))

        assert close_to(Image.open(io.BytesIO(cleaned.image)).getpixel((20, 10)), RED)


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_applied_after_shrinking_gives_the_upright_picture(settings, orientation,
                                                                          image_format):
    # The photo is shrunk first and turned upright after (cheaper on the small image):
    # the result is the same as turning the full-size photo and shrinking it.
    settings.PALAUTE_PHOTO_MAX_EDGE = 300
    source = encode(quadrants((1000, 500)), image_format, exif=phone_exif(orientation).tobytes())
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(source)))
    expected.thumbnail((300, 300))

    cleaned = clean_photo(upload(source, name=f"kuva.{image_format.lower()}"))

    result = Image.open(io.BytesIO(cleaned.image))
    assert (cleaned.width, cleaned.height) == result.size == expected.size
    assert max(result.size) == 300
    for got, want in zip(quadrant_colours(result), quadrant_colours(expected), strict=True):
        assert close_to(got, want)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_jpeg_at_the_strict_edge_is_shrunk_then_turned_upright(settings, monkeypatch, orientation):
    monkeypatch.setattr(photos, "JPEG_DRAFT_MIN_EDGE_FRACTION", 1.0)  # a real resize, no draft
    settings.PALAUTE_PHOTO_MAX_EDGE = 300
    source = phone_jpeg(quadrants((1000, 500)), orientation=orientation)
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(source)))

    cleaned = clean_photo(upload(source))

    result = Image.open(io.BytesIO(cleaned.image))
    assert max(result.size) == 300
    assert (result.width > result.height) == (expected.width > expected.height)
    for got, want in zip(quadrant_colours(result), quadrant_colours(expected), strict=True):
        assert close_to(got, want)
    assert_no_metadata(cleaned.image)


@pytest.mark.parametrize(
    ("long_edge", "fraction", "factor"),
    [
        (2560, 0.75, 1),  # fits already
        (4032, 0.75, 2),  # a 12 Mpx phone photo: 2016 px
        (5000, 0.75, 2),  # 2500 px
        (7680, 0.75, 3),  # 2560 px
        (3000, 0.75, 1),  # 1500 px would be too small: resized to 2560 instead
        (4032, 1.0, 1),  # the strict edge: always resized
    ],
)
def test_heic_reduce_factor(long_edge, fraction, factor):
    assert photos._reduce_factor(long_edge, 2560, fraction) == factor


def test_heic_is_reduced_band_by_band_exactly_as_a_whole_image_reduce(monkeypatch):
    monkeypatch.setattr(photos, "_HEIF_BAND_ROWS", 7)  # bands of 6 rows, the last one shorter
    source = encode(phone_scene_small(), "HEIF", quality=90)
    decoded = Image.open(io.BytesIO(source))
    decoded.load()

    reduced = photos._decode_heif_reduced(source, 300)

    assert reduced.size == (267, 134)  # 800 × 401 reduced by 3, rounded up
    assert reduced.tobytes() == decoded.reduce(3).tobytes()


def phone_scene_small():
    """Colours varying in every row and column, with an odd height."""
    image = Image.linear_gradient("L").resize((800, 401))
    return Image.merge("RGB", (image, image.transpose(Image.Transpose.ROTATE_180),
                               image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))


def test_heic_is_stored_at_the_reduced_edge_upright_and_stripped(settings):
    settings.PALAUTE_PHOTO_MAX_EDGE = 300
    # Orientation 6 becomes HEIF's own rotation (pillow-heif); libheif applies it.
    source = encode(quadrants((800, 400)), "HEIF", quality=95,
                    exif=phone_exif(orientation=6).tobytes(), xmp=XMP)

    cleaned = clean_photo(upload(source, name="IMG_0003.HEIC", content_type="image/heic"))

    # 800 px long: reduced by 3 to 267 px (at least 0.75 × 300), not resized to 300 px.
    assert (cleaned.width, cleaned.height) == (134, 267)
    result = Image.open(io.BytesIO(cleaned.image))
    assert result.size == (134, 267)
    top_left, top_right, bottom_left, bottom_right = quadrant_colours(result)
    assert close_to(top_left, BLUE) and close_to(top_right, RED)
    assert close_to(bottom_left, YELLOW) and close_to(bottom_right, GREEN)
    assert Image.open(io.BytesIO(cleaned.thumbnail)).size == (134, 267)
    assert_no_metadata(cleaned.image)


def test_heic_at_the_strict_edge_is_resized_to_the_full_edge(settings, monkeypatch):
    monkeypatch.setattr(photos, "HEIF_REDUCE_MIN_EDGE_FRACTION", 1.0)
    settings.PALAUTE_PHOTO_MAX_EDGE = 300
    source = encode(quadrants((800, 400)), "HEIF", quality=95)

    cleaned = clean_photo(upload(source, name="IMG_0004.HEIC", content_type="image/heic"))

    assert (cleaned.width, cleaned.height) == (300, 150)


def half_transparent(mode, size=(600, 300)):
    """Left half red (or black) at alpha 128, right half opaque blue (or white), else clear."""
    width, height = size
    if mode == "RGBA":
        image = Image.new("RGBA", size, (0, 255, 0, 0))
        image.paste((255, 0, 0, 128), (0, 0, width // 2, height))
        image.paste((0, 0, 255, 255), (width // 2, 0, width, height // 2))
    else:
        image = Image.new("LA", size, (0, 0))
        image.paste((0, 128), (0, 0, width // 2, height))
        image.paste((255, 255), (width // 2, 0, width, height // 2))
    return image


@pytest.mark.parametrize(
    ("mode", "image_format", "half", "opaque"),
    [
        ("RGBA", "PNG", (255, 127, 127), BLUE),
        ("LA", "PNG", (127, 127, 127), (255, 255, 255)),
        ("RGBA", "HEIF", (255, 127, 127), BLUE),  # alpha: the general path, not the band reduce
    ],
)
@pytest.mark.parametrize("max_edge", [300, 2560], ids=["shrunk", "kept"])
def test_transparency_is_flattened_onto_white(settings, mode, image_format, half, opaque,
                                              max_edge):
    settings.PALAUTE_PHOTO_MAX_EDGE = max_edge
    options = {"quality": -1} if image_format == "HEIF" else {}  # lossless-ish HEIC
    source = encode(half_transparent(mode), image_format, **options)

    cleaned = clean_photo(upload(source, name=f"kuva.{image_format.lower()}"))

    result = Image.open(io.BytesIO(cleaned.image))
    assert result.mode == "RGB"
    assert max(result.size) == min(600, max_edge)
    width, height = result.size
    assert close_to(result.getpixel((width // 4, height // 2)), half, tolerance=10)
    assert close_to(result.getpixel((3 * width // 4, height // 4)), opaque, tolerance=10)
    assert close_to(result.getpixel((3 * width // 4, 3 * height // 4)), (255, 255, 255),
                    tolerance=10)
    # Shrinking did not bleed the clear pixels' hidden colour (green) into the edges.
    green_bleed = result.getpixel((3 * width // 4, height // 2 + 3))
    assert green_bleed[1] <= max(green_bleed[0], green_bleed[2]) + 10


# Rejecting


def test_file_over_the_default_byte_cap_is_rejected_before_reading():
    class HugeUpload(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("read before the size check")

    huge = HugeUpload("iso.jpg", b"", content_type="image/jpeg")
    huge.size = 30 * 1024 * 1024

    message = assert_rejected(huge, "photo_too_big")
    assert "iso.jpg" in message


def test_file_over_a_configured_byte_cap_is_rejected(settings):
    settings.PALAUTE_PHOTO_MAX_BYTES = 1000
    assert_rejected(upload(encode(Image.effect_noise((100, 100), 50), "PNG"), "kohina.png"),
                    "photo_too_big")


def test_wrongly_reported_size_is_caught_while_reading(settings):
    settings.PALAUTE_PHOTO_MAX_BYTES = 1000
    lying = upload(encode(Image.effect_noise((100, 100), 50), "PNG"), "valehtelija.png")
    lying.size = 10

    assert_rejected(lying, "photo_too_big")


def test_sixty_megapixel_png_is_rejected_without_decoding(monkeypatch):
    source = encode(Image.new("1", (8000, 7500)), "PNG")
    assert len(source) < 1024 * 1024

    def no_decoding(self):
        raise AssertionError("pixel data was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    assert_rejected(upload(source, name="valtava.png", content_type="image/png"),
                    "photo_too_many_pixels")


def test_decompression_bomb_is_rejected():
    # Over twice Pillow's MAX_IMAGE_PIXELS: Image.open itself raises DecompressionBombError.
    assert_rejected(upload(png_header_only(20_000, 20_000), name="pommi.png"),
                    "photo_too_many_pixels")


def test_49_megapixel_rgba_png_is_refused_without_decoding(monkeypatch):
    """The issue's 208 KB PNG that took 11 s and 581 MB to clean: PNG has no cheap decode."""

    def no_decoding(self):
        raise AssertionError("pixel data was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    message = assert_rejected(upload(png_header_only(7000, 7000, colour_type=6),
                                     name="iso.png", content_type="image/png"),
                              "photo_too_many_pixels")
    assert "PNG-, WebP- tai HEIC-kuvaksi" in message and "24 megapikseliä" in message


@pytest.mark.parametrize("image_format", ["PNG", "WEBP", "HEIF"])
def test_full_decode_cap_applies_to_formats_without_reduced_decoding(settings, image_format):
    settings.PALAUTE_PHOTO_MAX_FULL_DECODE_PIXELS = 300 * 200 - 1
    source = encode(quadrants((300, 200)), image_format)
    assert_rejected(upload(source, name="kuva.img"), "photo_too_many_pixels")
    settings.PALAUTE_PHOTO_MAX_FULL_DECODE_PIXELS = 300 * 200
    assert inspect_photo(upload(source, name="kuva.img")).pixels == 300 * 200


def test_jpeg_is_not_held_to_the_full_decode_cap(settings):
    settings.PALAUTE_PHOTO_MAX_FULL_DECODE_PIXELS = 100
    assert inspect_photo(upload(phone_jpeg())).pixels == 400 * 200
    assert clean_photo(upload(phone_jpeg())).width == 200


def test_total_pixels_of_a_submission_are_capped(settings):
    from palaute_plugin.fields import clean_photo_files

    settings.PALAUTE_SUBMISSION_MAX_PIXELS = 3 * 400 * 200
    assert len(clean_photo_files([upload(phone_jpeg()) for _ in range(3)])) == 3
    with pytest.raises(ValidationError) as caught:
        clean_photo_files([upload(phone_jpeg()) for _ in range(4)])
    assert caught.value.code == "photos_too_many_pixels"
    with translation.override("fi"):
        with pytest.raises(ValidationError) as caught:
            clean_photo_files([upload(phone_jpeg()) for _ in range(4)])
    assert caught.value.messages == [
        "Kuvissa on yhteensä liikaa pikseleitä (0,3 megapikseliä). Yhden viestin kuvissa voi "
        "olla yhteensä enintään 0,2 megapikseliä; lähetä vähemmän tai pienempiä kuvia."]


def test_default_budget_takes_five_photos_at_the_full_decode_cap_and_no_more():
    at_cap = [photos.IncomingPhoto(file=None, name=f"{n}.png", pixels=6000 * 4000)
              for n in range(5)]
    photos.validate_total_pixels(at_cap)
    with pytest.raises(ValidationError):
        photos.validate_total_pixels([*at_cap[:4], photos.IncomingPhoto(
            file=None, name="5.png", pixels=6000 * 4000 + 1)])


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "photo_format"),
        (b"<?php system($_GET['c']); ?>", "photo_format"),
        # JPEG's magic bytes make it a JPEG that cannot be read.
        (b"\xff\xd8\xff\xe0<?php echo 'hi'; ?>", "photo_damaged"),
        (b"", "photo_empty"),
    ],
    ids=["html", "php", "php-behind-jpeg-magic", "empty"],
)
def test_fake_images_named_jpg_are_rejected(content, code):
    for check in (inspect_photo, clean_photo):
        with pytest.raises(ValidationError) as caught:
            check(upload(content, name="kuva.jpg"))
        assert caught.value.code == code, check.__name__
        assert "kuva.jpg" in caught.value.messages[0]


def test_html_named_jpg_gets_the_format_message():
    message = assert_rejected(upload(b"<html><body>hi</body></html>", name="kuva.jpg"),
                              "photo_format")
    assert "JPEG" in message


#: An 8 × 8 AVIF written by Pillow: kept as bytes so the test needs no AVIF encoder.
SMALL_AVIF = base64.b64decode(
    "AAAAIGZ0eXBhdmlmAAAAAGF2aWZtaWYxbWlhZk1BMUIAAADrbWV0YQAAAAAAAAAhaGRscgAAAAAAAAAAcGljdAAA"
    "AAAAAAAAAAAAAAAAAAAOcGl0bQAAAAAAAQAAAB5pbG9jAAAAAEQAAAEAAQAAAAEAAAETAAAAKgAAAChpaW5mAAAA"
    "AAABAAAAGmluZmUCAAAAAAEAAGF2MDFDb2xvcgAAAABqaXBycAAAAEtpcGNvAAAAFGlzcGUAAAAAAAAACAAAAAgA"
    "AAAQcGl4aQAAAAADCAgIAAAADGF2MUOBAAwAAAAAE2NvbHJuY2x4AAEADQAGgAAAABdpcG1hAAAAAAAAAAEAAQQB"
    "AoMEAAAAMm1kYXQSAAoIGAi/aICGg0IyHBTHh4ZlAgggnlAAAABIWtlc1jIgMQsbXgqRN4A="
)


def _animated_gif():
    frames = [Image.new("P", (20, 20), index) for index in range(3)]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:])


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("kuva.svg", lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9"/></svg>'),
        ("kuva.tif", lambda: encode(quadrants(), "TIFF")),
        ("kuva.gif", lambda: encode(quadrants(), "GIF")),
        ("liike.gif", _animated_gif),
        ("kuva.bmp", lambda: encode(quadrants(), "BMP")),
        ("kuva.ico", lambda: encode(quadrants((64, 64)), "ICO")),
        ("kuva.avif", lambda: SMALL_AVIF),
    ],
)
def test_other_formats_are_rejected_whatever_their_name(name, make):
    content = make()
    assert_rejected(upload(content, name="naamio.jpg"), "photo_format")
    assert_rejected(upload(content, name=name, content_type="image/png"), "photo_format")


def test_truncated_jpeg_is_rejected_as_damaged():
    source = encode(Image.effect_noise((400, 300), 60).convert("RGB"), "JPEG")
    assert_rejected(upload(source[: len(source) // 2], name="puolikas.jpg"), "photo_damaged")


# The JPEG structure walk (jpeg_structure_problem): no pixels decoded while the resident waits


def jpeg_segments(data):
    """``(offset of 0xFF, marker code, length)`` of each segment before the first scan."""
    segments, position = [], 2
    while True:
        code = data[position + 1]
        length = int.from_bytes(data[position + 2:position + 4], "big")
        segments.append((position, code, length))
        if code == 0xDA:
            return segments
        position += 2 + length


def segment(data, code):
    return next((offset, length) for offset, found, length in jpeg_segments(data)
                if found == code)


def test_walk_accepts_a_phone_jpeg_with_exif_xmp_icc_and_a_comment():
    source = phone_jpeg()
    assert {0xE1, 0xE2, 0xFE} <= {code for _, code, _ in jpeg_segments(source)}
    assert photos.jpeg_structure_problem(source) is None


def test_a_jpeg_is_checked_while_the_resident_waits_without_decoding_pixels(monkeypatch):
    def no_decoding(self):
        raise AssertionError("pixel data was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    assert inspect_photo(upload(phone_jpeg())).pixels == 400 * 200


def test_walk_accepts_progressive_restart_markers_and_whatever_follows_the_eoi():
    progressive = encode(Image.effect_noise((300, 200), 60).convert("RGB"), "JPEG",
                         progressive=True)
    assert len(re.findall(rb"\xff\xda", progressive)) > 2  # many scans, tables between
    assert photos.jpeg_structure_problem(progressive) is None
    restarts = encode(quadrants(), "JPEG", restart_marker_blocks=4)
    assert photos.jpeg_structure_problem(restarts) is None
    # An MPO's second picture, a phone maker's trailer: only the first picture is kept.
    assert photos.jpeg_structure_problem(phone_jpeg() + b"SEFHtrailer\xff\x00") is None
    assert inspect_photo(upload(progressive + phone_jpeg())).pixels == 300 * 200


@pytest.mark.parametrize("progressive", [False, True])
def test_walk_finds_a_jpeg_truncated_anywhere(progressive):
    source = encode(Image.effect_noise((300, 200), 60).convert("RGB"), "JPEG",
                    progressive=progressive)
    first_scan = segment(source, 0xDA)[0]
    for cut in (1, 3, 20, first_scan, first_scan + 5, len(source) // 2, len(source) - 2,
                len(source) - 1):
        assert photos.jpeg_structure_problem(source[:cut]), cut
    if progressive:  # cut just before a later scan's tables: every scan before it whole
        between = source.rindex(b"\xff\xc4")
        assert between > first_scan
        assert "EOI" in photos.jpeg_structure_problem(source[:between])


def test_walk_refuses_a_jpeg_without_a_frame_header():
    source = phone_jpeg()
    offset, length = segment(source, 0xC0)
    without_sof = source[:offset] + source[offset + 2 + length:]
    assert "before the frame header" in photos.jpeg_structure_problem(without_sof)
    # Pillow finds no frame either, and cannot tell what the file is.
    with pytest.raises(ValidationError) as caught:
        inspect_photo(upload(without_sof, name="kehyksetön.jpg"))
    assert caught.value.code == "photo_format"


def test_walk_refuses_a_second_frame_header_and_insane_dimensions():
    source = phone_jpeg()
    offset, length = segment(source, 0xC0)
    sof = source[offset:offset + 2 + length]
    assert "second frame" in photos.jpeg_structure_problem(
        source[:offset] + sof + sof + source[offset + 2 + length:])
    no_width = bytearray(source)
    no_width[offset + 7:offset + 9] = b"\0\0"  # the SOF's width
    assert photos.jpeg_structure_problem(bytes(no_width)) == "a frame of 0 x 200 pixels"
    wrong_count = bytearray(source)
    wrong_count[offset + 9] = 2  # two components in a segment sized for three
    assert "wrong length" in photos.jpeg_structure_problem(bytes(wrong_count))


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")  # Pillow's, reading the cut EXIF
@pytest.mark.parametrize("length", [b"\xff\xf0", b"\x00\x01"],
                         ids=["past-the-end", "shorter-than-itself"])
def test_walk_refuses_a_bogus_segment_length(length):
    source = bytearray(phone_jpeg())
    offset, _ = segment(bytes(source), 0xE1)  # the EXIF segment
    source[offset + 2:offset + 4] = length
    assert photos.jpeg_structure_problem(bytes(source))
    with pytest.raises(ValidationError) as caught:
        inspect_photo(upload(bytes(source), name="pituus.jpg"))
    assert caught.value.code == "photo_damaged"


def test_walk_skips_extraneous_bytes_before_a_marker_as_libjpeg_does():
    """libjpeg skips junk before a marker (a camera's segment length off by a few bytes)
    with a warning and decodes the photo: so does the walk. Junk right after the SOI is
    not taken for a JPEG at all."""
    source = phone_jpeg()
    garbage = source[:2] + b"not a marker at all" + source[2:]
    with pytest.raises(ValidationError) as caught:  # Pillow does not take it for a JPEG
        inspect_photo(upload(garbage, name="roska.jpg"))
    assert caught.value.code == "photo_format"
    offset, length = segment(source, 0xE0)  # junk after the JFIF segment: Pillow opens it
    between = offset + 2 + length
    garbage = source[:between] + b"not a marker at all" + source[between:]
    assert photos.jpeg_structure_problem(garbage) is None
    assert inspect_photo(upload(garbage, name="roska.jpg")).pixels == 400 * 200
    cleaned = clean_photo(upload(garbage, name="roska.jpg"))
    assert (cleaned.width, cleaned.height) == (200, 400)
    # An EXIF segment whose length ends inside it: the rest is skipped up to the next
    # marker, as libjpeg does (the photo decodes; its metadata is removed anyway).
    cut = bytearray(source)
    exif, _ = segment(source, 0xE1)
    cut[exif + 2:exif + 4] = b"\x00\x10"
    assert photos.jpeg_structure_problem(bytes(cut)) is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's "Corrupt EXIF data"
        cleaned = clean_photo(upload(bytes(cut), name="exif.jpg"))
    assert (cleaned.width, cleaned.height) == (400, 200)  # its orientation was in the EXIF
    # Junk that runs to the end of the file: no marker, no image.
    assert photos.jpeg_structure_problem(source[:between] + b"no marker follows") == (
        "truncated: no marker after extraneous bytes")


def with_frame_byte(offset, value):
    """A phone JPEG with the byte at ``offset`` of its frame header (SOF, from its
    length) set to ``value``."""
    source = bytearray(phone_jpeg())
    source[source.index(b"\xff\xc0") + 2 + offset] = value
    return bytes(source)


@pytest.mark.parametrize(("offset", "value", "problem"), [
    (9, 0x00, "sampling 0x00"),
    (9, 0x51, "sampling 0x51"),
    (10, 9, "table 9"),
], ids=["sampling-0", "sampling-5", "quant-table-9"])
def test_walk_refuses_a_frame_header_libjpeg_cannot_decode(offset, value, problem):
    """What the 1/8-scale decode refused in the request before the walk, the walk refuses:
    the resident is told while they wait, not later."""
    source = with_frame_byte(offset, value)
    assert problem in photos.jpeg_structure_problem(source)
    with translation.override("fi"):
        with pytest.raises(ValidationError) as caught:
            inspect_photo(upload(source, name="kuva.jpg"))
    assert caught.value.code == "photo_damaged"


def test_walk_refuses_12_bit_samples_which_pillow_does_not_open_either():
    source = with_frame_byte(2, 12)  # the sample precision
    assert photos.jpeg_structure_problem(source) == "12-bit samples"
    with pytest.raises(ValidationError) as caught:
        inspect_photo(upload(source, name="kuva.jpg"))
    assert caught.value.code == "photo_format"


def test_walk_refuses_a_scan_naming_a_component_the_frame_lacks():
    source = bytearray(phone_jpeg())
    sos = source.index(b"\xff\xda") + 2
    source[sos + 3] = 0x7F  # the first component selector
    assert "not there" in photos.jpeg_structure_problem(bytes(source))
    source = bytearray(phone_jpeg())
    source[sos + 4] = 0x4F  # its DC table 4
    assert "not there" in photos.jpeg_structure_problem(bytes(source))


def test_walk_refuses_a_scan_without_data_and_an_eoi_without_a_scan():
    source = phone_jpeg()
    scan = segment(source, 0xDA)
    header_end = scan[0] + 2 + scan[1]
    assert photos.jpeg_structure_problem(source[:header_end] + b"\xff\xd9") == (
        "EOI before any image data")
    assert photos.jpeg_structure_problem(source[:scan[0]] + b"\xff\xd9") == (
        "EOI before any image data")
    assert photos.jpeg_structure_problem(b"\xff\xd8\xff\xd8" + source[2:])


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_truncated_png_and_webp_are_rejected_as_damaged(image_format):
    source = encode(Image.effect_noise((400, 300), 60).convert("RGB"), image_format)
    assert_rejected(upload(source[: len(source) // 2], name="puolikas.kuva"), "photo_damaged")


@pytest.mark.parametrize("keep", [0.5, 0.99])
def test_truncated_heic_is_rejected_as_damaged_while_the_resident_waits(keep):
    source = encode(Image.effect_noise((400, 300), 60).convert("RGB"), "HEIF")
    cut = source[: int(len(source) * keep)]
    assert_rejected(upload(cut, name="IMG_0003.HEIC", content_type="image/heic"),
                    "photo_damaged")


def test_heic_whose_last_box_runs_to_the_end_of_the_file_is_accepted():
    # A box size of 0 means "to the end of the file" (ISO/IEC 14496-12 4.2).
    source = bytearray(encode(Image.effect_noise((64, 48), 60).convert("RGB"), "HEIF"))
    position = 0
    while position + int.from_bytes(source[position:position + 4], "big") < len(source):
        position += int.from_bytes(source[position:position + 4], "big")
    assert source[position + 4:position + 8] == b"mdat"
    source[position:position + 4] = b"\0\0\0\0"
    photo = inspect_photo(upload(bytes(source), name="IMG_0004.HEIC", content_type="image/heic"))
    assert photo.pixels == 64 * 48


def test_png_with_broken_pixel_data_is_rejected_as_damaged():
    source = bytearray(encode(Image.effect_noise((200, 200), 60), "PNG"))
    source[200:260] = b"\0" * 60
    assert_rejected(upload(bytes(source), name="rikki.png"), "photo_damaged")


def test_messages_are_sentences_naming_the_file_in_every_language():
    for language in ("fi", "sv", "en"):
        with translation.override(language):
            message = assert_rejected(upload(b"<html></html>", name="lomake.jpg"), "photo_format")
        assert message.endswith(".")


# Counting


def test_photo_count_is_capped():
    validate_photo_count([object()] * 5)
    with pytest.raises(ValidationError) as caught:
        validate_photo_count([object()] * 6)
    assert caught.value.code == "too_many_photos"
    assert "5" in caught.value.messages[0]


def test_photo_count_follows_the_setting(settings):
    settings.PALAUTE_MAX_PHOTOS = 2
    with pytest.raises(ValidationError):
        validate_photo_count([object()] * 3)


# Saving


@pytest.mark.django_db
def test_save_photos_stores_random_names_in_the_private_root(photo_root, tmp_path):
    feedback = FeedbackFactory()
    cleaned = [
        clean_photo(upload(phone_jpeg(), name="katulamppu.jpg")),
        clean_photo(upload(encode(quadrants((5000, 2000)), "PNG"), name="katulamppu.png")),
    ]

    rows = save_photos(feedback, cleaned)

    assert list(FeedbackPhoto.objects.filter(feedback=feedback)) == rows
    assert [row.sort_order for row in rows] == [0, 1]
    assert [(row.width, row.height) for row in rows] == [(200, 400), (2560, 1024)]
    for row, photo in zip(rows, cleaned, strict=True):
        match = re.fullmatch(r"feedback/([0-9a-f]{2})/(\1[0-9a-f]{30})\.jpg", row.image.name)
        assert match, row.image.name
        assert row.thumbnail.name == f"feedback/{match[1]}/{match[2]}_t.jpg"
        assert "katulamppu" not in row.image.name
        assert (photo_root / row.image.name).read_bytes() == photo.image
        assert (photo_root / row.thumbnail.name).read_bytes() == photo.thumbnail
    assert rows[0].image.name != rows[1].image.name
    assert not (tmp_path / "media").exists()


@pytest.mark.django_db
def test_save_photos_leaves_no_files_when_a_row_fails(photo_root, monkeypatch):
    feedback = FeedbackFactory()
    cleaned = [clean_photo(upload(phone_jpeg())) for _ in range(2)]
    original_save = FeedbackPhoto.save

    def fail_second(self, *args, **kwargs):
        if self.sort_order == 1:
            raise RuntimeError("database went away")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(FeedbackPhoto, "save", fail_second)

    with pytest.raises(RuntimeError):
        save_photos(feedback, cleaned)

    assert not FeedbackPhoto.objects.exists()
    assert not [path for path in photo_root.rglob("*") if path.is_file()]


# Cleaning in the worker, and the sweep


def received(feedback, created_minutes_ago):
    """A photo kept as received, waiting for its task (never run here), made that old."""
    from datetime import timedelta

    from django.utils import timezone

    row = save_photos(feedback, [inspect_photo(upload(phone_jpeg(), name="gps.jpg"))])[0]
    FeedbackPhoto.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - timedelta(minutes=created_minutes_ago))
    row.refresh_from_db()
    assert row.state == FeedbackPhoto.State.PROCESSING and row.upload
    return row


def upload_files(photo_root):
    return [path for path in photo_root.rglob("*.upload") if path.is_file()]


@pytest.fixture
def enqueued(monkeypatch):
    """The tasks handed to django-q (none of them runs)."""
    calls = []
    monkeypatch.setattr("palaute_plugin.queue.async_task",
                        lambda func, argument, **kwargs: calls.append((func, argument)))
    return calls


@pytest.mark.django_db
def test_a_photo_whose_cleaning_raises_fails_and_its_upload_is_deleted(
        photo_root, enqueued, monkeypatch):
    from palaute_plugin import tasks

    row = received(FeedbackFactory(), 0)
    assert len(upload_files(photo_root)) == 1

    def out_of_memory(uploaded_file):
        raise MemoryError

    monkeypatch.setattr("palaute_plugin.photos.images.clean_photo", out_of_memory)
    assert tasks.process_photo(row.pk) == FeedbackPhoto.State.FAILED
    row.refresh_from_db()
    assert (row.state, row.upload.name, row.image.name) == (FeedbackPhoto.State.FAILED, "", "")
    assert upload_files(photo_root) == []


class Killed(BaseException):
    """kill -9 of the worker, at the point a storage call is made."""


@pytest.fixture
def killed_at_delete():
    """The worker dies when it asks the storage to delete a file (after its commit);
    calling the fixture's value starts a new worker."""
    from django.core.files.storage import FileSystemStorage

    def die(storage, name):
        raise Killed(name)

    patch = pytest.MonkeyPatch()
    patch.setattr(FileSystemStorage, "delete", die)
    yield patch.undo
    patch.undo()


@pytest.mark.django_db
def test_a_worker_killed_after_cleaning_leaves_the_upload_named_and_it_is_deleted(
        photo_root, enqueued, killed_at_delete):
    from palaute_plugin import tasks

    cleaned_again, swept = received(FeedbackFactory(), 0), received(FeedbackFactory(), 0)
    for row in (cleaned_again, swept):
        with pytest.raises(Killed):
            tasks.process_photo(row.pk)
        row.refresh_from_db()
        assert row.state == FeedbackPhoto.State.READY and row.image
        assert row.upload  # the committed row says which raw file is still to delete
    assert len(upload_files(photo_root)) == 2
    killed_at_delete()  # a new worker

    # The task delivered again (the ORM broker's retry) deletes it and cleans nothing.
    assert tasks.process_photo(cleaned_again.pk) == FeedbackPhoto.State.READY
    assert tasks.process_photo(cleaned_again.pk) == "skipped"
    # The sweep deletes what is left (the Redis broker does not deliver again).
    assert tasks.process_pending_photos() == {"failed": 0, "queued": 0, "leftover": 1}
    assert upload_files(photo_root) == []
    for row in (cleaned_again, swept):
        row.refresh_from_db()
        assert (row.state, row.upload.name) == (FeedbackPhoto.State.READY, "")
    assert tasks.process_pending_photos() == {"failed": 0, "queued": 0, "leftover": 0}


@pytest.mark.django_db
def test_a_leftover_upload_the_storage_refuses_is_not_counted_and_tried_again(
        photo_root, enqueued, killed_at_delete, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    from palaute_plugin import tasks

    refused, deleted = received(FeedbackFactory(), 0), received(FeedbackFactory(), 0)
    for row in (refused, deleted):
        with pytest.raises(Killed):
            tasks.process_photo(row.pk)
    killed_at_delete()
    refused.refresh_from_db()
    really_delete = FileSystemStorage.delete

    def refuse_one(storage, name):
        if name == refused.upload.name:
            raise PermissionError(name)
        really_delete(storage, name)

    monkeypatch.setattr(FileSystemStorage, "delete", refuse_one)
    assert tasks.process_pending_photos()["leftover"] == 1
    assert [path.name for path in upload_files(photo_root)] == [
        refused.upload.name.rpartition("/")[2]]
    monkeypatch.setattr(FileSystemStorage, "delete", really_delete)
    assert tasks.process_pending_photos()["leftover"] == 1
    assert upload_files(photo_root) == []


@pytest.mark.django_db
def test_the_sweep_deletes_old_raw_uploads_no_row_names(photo_root, enqueued):
    """A web process killed after writing the upload and before its commit."""
    import os
    import time

    from palaute_plugin import tasks
    from palaute_plugin.photos import pending

    named = received(FeedbackFactory(), 0)
    kept = pending.keep(pending.new_batch(),
                        [inspect_photo(upload(phone_jpeg(), name="gps.jpg"))])[0]
    assert named.upload.name.startswith("raw/")
    orphans = [photo_root / "raw" / "a1.upload", photo_root / "pending" / "b2.upload"]
    young = photo_root / "raw" / "c3.upload"
    two_hours_ago = time.time() - 2 * 3600
    for path in (*orphans, young):
        path.write_bytes(phone_jpeg())
    for path in (*orphans, photo_root / named.upload.name, photo_root / kept.upload.name):
        os.utime(path, (two_hours_ago, two_hours_ago))

    assert tasks.process_pending_photos()["leftover"] == 2
    assert sorted(path.name for path in upload_files(photo_root)) == sorted(
        [young.name, named.upload.name.rpartition("/")[2],
         kept.upload.name.rpartition("/")[2]])


@pytest.mark.django_db
def test_a_sweep_killed_while_deleting_stale_uploads_leaves_them_named_for_the_next(
        photo_root, enqueued, killed_at_delete):
    from palaute_plugin import tasks

    stuck = received(FeedbackFactory(), 16)
    with pytest.raises(Killed):
        tasks.process_pending_photos()
    stuck.refresh_from_db()
    assert stuck.state == FeedbackPhoto.State.FAILED and stuck.upload
    killed_at_delete()

    assert tasks.process_pending_photos() == {"failed": 0, "queued": 0, "leftover": 1}
    stuck.refresh_from_db()
    assert (stuck.state, stuck.upload.name) == (FeedbackPhoto.State.FAILED, "")
    assert upload_files(photo_root) == []


@pytest.mark.django_db
def test_a_worker_killed_after_cleaning_a_kept_photo_leaves_it_usable_and_swept(
        photo_root, enqueued, killed_at_delete):
    from datetime import timedelta

    from django.utils import timezone

    from palaute_plugin import tasks
    from palaute_plugin.photos import pending

    row = pending.keep(pending.new_batch(),
                       [inspect_photo(upload(phone_jpeg(), name="gps.jpg"))])[0]
    with pytest.raises(Killed):
        tasks.process_pending_photo(row.pk)
    row.refresh_from_db()
    assert row.state == pending.PendingPhoto.State.READY and row.upload
    killed_at_delete()
    # Cleaned, so not a raw one past its time, however old: the form still takes it.
    pending.PendingPhoto.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - timedelta(minutes=16))
    assert pending.delete_expired() == 0

    assert tasks.process_pending_photos()["leftover"] == 1
    row.refresh_from_db()
    assert (row.state, row.upload.name) == (pending.PendingPhoto.State.READY, "")
    assert row.as_photo().width == row.width  # still attached by the next valid post
    assert upload_files(photo_root) == []


@functools.cache
def costly_png():
    """A 12-megapixel RGBA PNG: cleaning it peaks at about 120 MB."""
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    return encode(Image.merge("RGBA", (gradient,) * 4), "PNG", compress_level=1)


def costly_png_received(feedback):
    return save_photos(feedback, [inspect_photo(upload(costly_png(), name="iso.png"))])[0]


@pytest.mark.django_db
def test_a_photo_needing_more_memory_than_the_worker_bound_fails_and_the_worker_goes_on(
        photo_root, enqueued, settings):
    import resource

    from palaute_plugin import tasks

    feedback = FeedbackFactory()
    costly = costly_png_received(feedback)
    before = resource.getrlimit(resource.RLIMIT_DATA)
    settings.PALAUTE_PHOTO_WORKER_MEMORY_MB = 30
    assert tasks.process_photo(costly.pk) == FeedbackPhoto.State.FAILED
    assert resource.getrlimit(resource.RLIMIT_DATA) == before
    assert upload_files(photo_root) == []
    # The same photo within the default bound, in the same process: cleaned.
    settings.PALAUTE_PHOTO_WORKER_MEMORY_MB = 512
    assert tasks.process_photo(costly_png_received(feedback).pk) == FeedbackPhoto.State.READY


@pytest.mark.django_db
def test_sweep_queues_waiting_photos_and_never_cleans_them_itself(
        photo_root, enqueued, monkeypatch, django_capture_on_commit_callbacks):
    from palaute_plugin import tasks

    def no_cleaning(uploaded_file):
        raise AssertionError("the sweep cleaned a photo inline")

    monkeypatch.setattr("palaute_plugin.photos.images.clean_photo", no_cleaning)
    feedback = FeedbackFactory()
    fresh, waiting = received(feedback, 1), received(feedback, 5)
    enqueued.clear()  # save_photos' own tasks

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.process_pending_photos() == {"failed": 0, "queued": 1, "leftover": 0}

    assert enqueued == [("palaute_plugin.tasks.process_photo", waiting.pk)]
    for row in (fresh, waiting):
        row.refresh_from_db()
        assert row.state == FeedbackPhoto.State.PROCESSING and row.upload
    assert len(upload_files(photo_root)) == 2


@pytest.mark.django_db
def test_sweep_fails_photos_stuck_processing_and_deletes_their_uploads(
        photo_root, enqueued, settings, django_capture_on_commit_callbacks):
    from palaute_plugin import tasks

    feedback = FeedbackFactory()
    stuck, recent = received(feedback, 16), received(feedback, 10)
    enqueued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.process_pending_photos() == {"failed": 1, "queued": 1, "leftover": 0}

    stuck.refresh_from_db()
    assert (stuck.state, stuck.upload.name) == (FeedbackPhoto.State.FAILED, "")
    assert enqueued == [("palaute_plugin.tasks.process_photo", recent.pk)]
    recent.refresh_from_db()
    assert [path.name for path in upload_files(photo_root)] == [
        recent.upload.name.rpartition("/")[2]]

    settings.PALAUTE_PHOTO_PROCESSING_MAX_SECONDS = 9 * 60
    assert tasks.process_pending_photos() == {"failed": 1, "queued": 0, "leftover": 0}
    assert upload_files(photo_root) == []
    assert not FeedbackPhoto.objects.filter(state=FeedbackPhoto.State.PROCESSING).exists()
