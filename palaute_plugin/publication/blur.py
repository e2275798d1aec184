"""Blurred areas (faces, registration plates) on the public copy of a photo.

The moderator marks rectangles on the photos they choose; the private original is
never changed. An area is ``[left, top, width, height]`` as fractions of the
photo's width and height (0..1), so it fits the full image and the thumbnail
alike. On the moderator's form the areas are lines of text, one area a line,
``<photo number>: <left> <top> <width> <height>`` in per cent (e.g. ``1: 40 55 20
10``); a script lets the moderator draw them on the photo instead.

An area is pixelated to blocks and then blurred, so nothing of it can be sharpened
back, and the whole photo is encoded anew as a JPEG without metadata.
"""

import io
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageFilter

from ..conf import palaute_setting

JPEG_QUALITY = 85
#: An area is at most this many blocks across before the blur.
PIXEL_BLOCKS = 12
MAX_AREAS_PER_PHOTO = 20

_LINE = re.compile(
    r"^\s*(?P<number>\d+)\s*[:.]?\s+(?P<values>[-+\d.,%\s]+?)\s*$")


def parse_areas(text, numbers):
    """``{photo pk (str): [[left, top, width, height], ...]}`` from the form's lines.

    ``numbers`` maps the photo numbers the moderator sees (1, 2...) to photo pks.
    Raises ``ValidationError`` naming the line at fault.
    """
    areas = {}
    for line_number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        values = match and [value.rstrip("%") for value in
                            re.split(r"[\s;]+", match.group("values").strip()) if value]
        if not match or len(values) != 4:
            raise ValidationError(
                _("Line %(line)s: write the photo number and four figures in per cent, "
                  "e.g. “1: 40 55 20 10” (left, top, width, height).") % {"line": line_number},
                code="blur_syntax")
        number = int(match.group("number"))
        if number not in numbers:
            raise ValidationError(
                _("Line %(line)s: there is no photo %(number)s among the chosen photos.")
                % {"line": line_number, "number": number}, code="blur_photo")
        try:
            left, top, width, height = (float(value.replace(",", ".")) for value in values)
        except ValueError:
            raise ValidationError(
                _("Line %(line)s: the figures must be numbers.") % {"line": line_number},
                code="blur_syntax") from None
        if not (0 <= left < 100 and 0 <= top < 100 and width > 0 and height > 0
                and left + width <= 100.001 and top + height <= 100.001):
            raise ValidationError(
                _("Line %(line)s: the area must lie within the photo (0–100 %%) and have a "
                  "width and a height.") % {"line": line_number}, code="blur_range")
        photo_areas = areas.setdefault(str(numbers[number]), [])
        if len(photo_areas) >= MAX_AREAS_PER_PHOTO:
            raise ValidationError(
                _("At most %(count)s blurred areas per photo.") % {"count": MAX_AREAS_PER_PHOTO},
                code="blur_count")
        photo_areas.append([round(left / 100, 4), round(top / 100, 4),
                            round(min(width, 100 - left) / 100, 4),
                            round(min(height, 100 - top) / 100, 4)])
    return areas


def format_areas(areas, numbers):
    """The form's lines for ``areas``; ``numbers`` as in ``parse_areas``."""
    number_of = {str(pk): number for number, pk in numbers.items()}
    lines = []
    for pk, photo_areas in sorted((areas or {}).items(),
                                  key=lambda item: number_of.get(item[0], 0)):
        if pk not in number_of:
            continue
        for area in photo_areas:
            figures = " ".join(f"{value * 100:g}" for value in area)
            lines.append(f"{number_of[pk]}: {figures}")
    return "\n".join(lines)


def blur_image(image, areas):
    """``image`` (RGB) with each area pixelated and blurred; a new image."""
    result = image.copy()
    width, height = result.size
    for left, top, area_width, area_height in areas:
        box = (int(left * width), int(top * height),
               min(width, round((left + area_width) * width)),
               min(height, round((top + area_height) * height)))
        box_width, box_height = box[2] - box[0], box[3] - box[1]
        if box_width < 1 or box_height < 1:
            continue
        region = result.crop(box)
        scale = max(box_width, box_height) / PIXEL_BLOCKS
        small = region.resize((max(1, round(box_width / scale)), max(1, round(box_height / scale))),
                              Image.Resampling.BOX)
        region = small.resize(region.size, Image.Resampling.NEAREST)
        region = region.filter(ImageFilter.GaussianBlur(radius=max(2, scale / 2)))
        result.paste(region, box)
    return result


def blurred_copy(image_bytes, areas):
    """``(image, thumbnail)`` JPEG bytes of a cleaned photo with ``areas`` blurred."""
    with Image.open(io.BytesIO(image_bytes)) as source:
        image = blur_image(source.convert("RGB"), areas)
    thumbnail = image.copy()
    thumbnail.thumbnail((palaute_setting("PHOTO_THUMB_EDGE"),) * 2, Image.Resampling.BICUBIC)
    return _jpeg(image), _jpeg(thumbnail)


def _jpeg(image):
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=JPEG_QUALITY)
    return output.getvalue()
