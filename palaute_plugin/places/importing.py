"""Reading the places the city exports from its GIS: CSV or GeoJSON, all or nothing.

CSV columns (a header row; ``kind`` and ``name_fi`` required, the rest may be empty):
``kind, name_fi, name_sv, name_en, aliases, latitude, longitude, end_latitude,
end_longitude, number_from, number_to, external_id``. Aliases are separated by ``|``.

GeoJSON: a ``FeatureCollection`` in WGS 84; a ``Point`` is a landmark or an address,
a ``LineString`` a street (its first and last positions are where ``number_from`` and
``number_to`` are). The properties are the CSV's columns (``name`` is read as
``name_fi``; a missing ``kind`` is ``street`` for a line, ``landmark`` for a point).
"""

import csv
import io
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Place

COLUMNS = ("kind", "name_fi", "name_sv", "name_en", "aliases", "latitude", "longitude",
           "end_latitude", "end_longitude", "number_from", "number_to", "external_id")
NUMBER_COLUMNS = ("latitude", "longitude", "end_latitude", "end_longitude")
INTEGER_COLUMNS = ("number_from", "number_to")


class PlaceImportError(Exception):
    """The file has errors; nothing was imported. ``errors`` says where, one line each."""

    def __init__(self, errors):
        super().__init__("\n".join(errors))
        self.errors = list(errors)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0


def read_csv(text):
    """``[(line number, {column: text})]`` of a CSV export (``text`` is a ``str``)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), skipinitialspace=True)
    missing = {"kind", "name_fi"} - set(reader.fieldnames or ())
    if missing:
        raise PlaceImportError([_("Line 1: the header lacks the columns %(columns)s.") % {
            "columns": ", ".join(sorted(missing))}])
    return [(reader.line_num, row) for row in reader]


def read_geojson(text):
    """``[(feature number, {column: value})]`` of a GeoJSON ``FeatureCollection``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise PlaceImportError([_("The file is not valid JSON (line %(line)s: %(error)s).") % {
            "line": error.lineno, "error": error.msg}]) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise PlaceImportError([_("The file is not a GeoJSON FeatureCollection.")])
    rows, errors = [], []
    for number, feature in enumerate(data.get("features") or [], start=1):
        try:
            rows.append((number, feature_row(feature)))
        except ValueError as error:
            errors.append(_("Feature %(number)s: %(error)s") % {"number": number,
                                                                  "error": error})
    if errors:
        raise PlaceImportError(errors)
    return rows


def feature_row(feature):
    geometry = (feature or {}).get("geometry") or {}
    properties = dict((feature or {}).get("properties") or {})
    if "name_fi" not in properties and "name" in properties:
        properties["name_fi"] = properties.pop("name")
    coordinates = geometry.get("coordinates")
    if geometry.get("type") == "Point":
        properties.setdefault("kind", Place.Kind.LANDMARK)
        properties["longitude"], properties["latitude"] = position(coordinates)
    elif geometry.get("type") == "LineString":
        properties.setdefault("kind", Place.Kind.STREET)
        if not isinstance(coordinates, list) or len(coordinates) < 2:
            raise ValueError(_("the coordinates cannot be read."))
        properties["longitude"], properties["latitude"] = position(coordinates[0])
        properties["end_longitude"], properties["end_latitude"] = position(coordinates[-1])
    else:
        raise ValueError(_("the geometry must be a Point or a LineString."))
    if isinstance(properties.get("aliases"), list):
        properties["aliases"] = "|".join(str(alias) for alias in properties["aliases"])
    return properties


def position(coordinates):
    """``(longitude, latitude)`` of a GeoJSON position."""
    if (not isinstance(coordinates, list) or len(coordinates) < 2
            or not all(isinstance(c, int | float) for c in coordinates[:2])):
        raise ValueError(_("the coordinates cannot be read."))
    return coordinates[0], coordinates[1]


def import_places(rows, *, replace=False):
    """Check every row, then save them all in one transaction (or raise, saving none).

    A row with an ``external_id`` updates the place with that identifier; ``replace``
    deletes every place the file does not contain.
    """
    places, errors = [], []
    for line, row in rows:
        try:
            places.append(place_from_row(row))
        except ValidationError as error:
            errors.append(_("Line %(line)s: %(error)s") % {"line": line,
                                                           "error": describe(error)})
    ids = [place.external_id for place in places if place.external_id]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        errors.append(_("The identifiers %(ids)s appear more than once.") % {
            "ids": ", ".join(duplicates)})
    if errors:
        raise PlaceImportError(errors)
    return save_places(places, replace=replace)


def save_places(places, *, replace):
    result = ImportResult()
    with transaction.atomic():
        existing = {place.external_id: place for place in Place.objects.filter(
            external_id__in=[p.external_id for p in places if p.external_id])}
        kept = []
        for place in places:
            earlier = existing.get(place.external_id) if place.external_id else None
            if earlier is not None:
                place.pk = earlier.pk
                result.updated += 1
            else:
                result.created += 1
            place.save()
            kept.append(place.pk)
        if replace:
            Place.objects.exclude(pk__in=kept).delete()
    return result


def place_from_row(row):
    values = {column: clean_text(row.get(column)) for column in COLUMNS}
    errors = {}
    for column in NUMBER_COLUMNS + INTEGER_COLUMNS:
        text = values[column]
        if text == "":
            values[column] = None
            continue
        try:
            values[column] = (int(text) if column in INTEGER_COLUMNS
                              else float(text.replace(",", ".")))
        except ValueError:
            errors[column] = _("“%(value)s” is not a number.") % {"value": text}
    values["aliases"] = "\n".join(a.strip() for a in values["aliases"].split("|") if a.strip())
    values["kind"] = values["kind"].lower()
    if errors:
        raise ValidationError(errors)
    place = Place(**values)
    place.full_clean()
    return place


def clean_text(value):
    return "" if value is None else str(value).strip()


def describe(error):
    """``column: message`` pairs of a ``ValidationError``, on one line."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return "; ".join(f"{field}: {' '.join(messages)}"
                     for field, messages in error.message_dict.items())
