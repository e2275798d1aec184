"""``PlacesGeocoder``: the local geocoder, searching the places editors keep (no outside service).

Set ``PALAUTE_GEOCODER = "palaute_plugin.places.geocoder.PlacesGeocoder"``. Typed words
match the start of the words of a place's names and aliases; "Street 12" is placed
along a street's house-number range; a pin is named by the nearest known place.
"""

import math
import re

from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce, Greatest, Least

from .. import geo
from .models import Place

#: "Hallituskatu 12", "Hallituskatu 12 B", "Hallituskatu 12b": the name and the number.
HOUSE_NUMBER_RE = re.compile(r"^(?P<name>.*\D)\s+(?P<number>\d{1,5})(?:\s*[^\W\d_])?$")
WORD_RE = re.compile(r"[\w]+(?:[-'’][\w]+)*")


def words_of(text):
    return WORD_RE.findall(text.casefold())


def name_matches(words, name):
    """Whether every typed word starts a word of ``name``."""
    name_words = words_of(name)
    return bool(words) and all(any(part.startswith(word) for part in name_words)
                               for word in words)


def match_rank(words, name):
    """0 for the whole name, 1 when the name starts with the words, 2 for other matches."""
    typed, whole = " ".join(words), " ".join(words_of(name))
    if typed == whole:
        return 0
    return 1 if whole.startswith(typed) else 2


class PlacesGeocoder(geo.Geocoder):
    """Searches :class:`~palaute_plugin.places.models.Place` rows.

    Override :meth:`candidates` to narrow the rows (e.g. by municipality), or
    ``reverse_radius_m`` for how far a pin may be from the place it is named by.
    """

    #: A pin farther than this from every known place gets no name.
    reverse_radius_m = 250
    #: How many rows one search reads at most before ranking.
    candidate_limit = 200

    def search(self, text, *, language="fi", limit=5):
        text = " ".join(str(text).split())[:200]
        match = HOUSE_NUMBER_RE.match(text)
        words = words_of(text)
        if not words:
            return []
        street_words = words_of(match.group("name")) if match else words
        number = int(match.group("number")) if match else None
        ranked = []
        for place in self.candidates(max(street_words or words, key=len)):
            found = self.match(place, words, street_words, number, language)
            if found is not None:
                ranked.append(found)
        ranked.sort(key=lambda item: item[0])
        # A street found with the typed number hides its other segments' fallbacks.
        numbered = {result.label for _rank, result in ranked if number is not None
                    and result.label.endswith(f" {number}")}
        results, labels = [], set()
        for _rank, result in ranked:
            if f"{result.label} {number}" in numbered:
                continue
            if result.label not in labels:
                labels.add(result.label)
                results.append(result)
        return results[:limit]

    def candidates(self, word):
        # Names starting with the word first, so a long list does not crowd them out.
        starts = Case(When(search_text__startswith=word, then=Value(0)), default=Value(1))
        return (Place.objects.filter(search_text__contains=word)
                .order_by(starts, "pk")[:self.candidate_limit])

    def match(self, place, words, street_words, number, language):
        """``(rank, geo.Place)`` if ``place`` matches the typed words, else ``None``."""
        label = Place.name.for_language(place, language)
        if place.kind == Place.Kind.STREET and number is not None:
            names = [name for name in place.all_names() if name_matches(street_words, name)]
            if not names:
                return None
            rank = min(match_rank(street_words, name) for name in names)
            if place.has_range and place.number_from <= number <= place.number_to:
                latitude, longitude = interpolate(place, number)
                return (rank, 0, len(label)), geo.Place(f"{label} {number}", latitude, longitude)
            return (rank, 1, len(label)), geo.Place(label, *street_point(place))
        names = [name for name in place.all_names() if name_matches(words, name)]
        if not names:
            return None
        rank = min(match_rank(words, name) for name in names)
        return (rank, 0, len(label)), geo.Place(label, *street_point(place))

    def reverse(self, latitude, longitude, *, language="fi"):
        best = None
        for place in self.near(latitude, longitude):
            distance, point, number = nearest_on(place, latitude, longitude)
            if distance <= self.reverse_radius_m and (best is None or distance < best[0]):
                best = (distance, place, point, number)
        if best is None:
            return None
        _distance, place, point, number = best
        label = Place.name.for_language(place, language)
        if number is not None:
            label = f"{label} {number}"
        return geo.Place(label, *point)

    def near(self, latitude, longitude):
        """Places whose point or street segment comes within the reverse radius's box."""
        south, west, north, east = geo.bounds_around(latitude, longitude, self.reverse_radius_m)
        end_lat = Coalesce("end_latitude", "latitude")
        end_lon = Coalesce("end_longitude", "longitude")
        return (Place.objects
                .annotate(south=Least(F("latitude"), end_lat),
                          north=Greatest(F("latitude"), end_lat),
                          west=Least(F("longitude"), end_lon),
                          east=Greatest(F("longitude"), end_lon))
                .filter(Q(south__lte=north) & Q(north__gte=south) & Q(west__lte=east)
                        & Q(east__gte=west))
                .order_by("pk")[:self.candidate_limit])


def street_point(place):
    """A place's point; a street's middle when its end is known."""
    if place.end_latitude is None or place.end_longitude is None:
        return place.latitude, place.longitude
    return ((place.latitude + place.end_latitude) / 2, (place.longitude + place.end_longitude) / 2)


def interpolate(place, number):
    """Where house ``number`` is along a street's range (evenly spaced from start to end)."""
    span = place.number_to - place.number_from
    share = 0.0 if span == 0 else (number - place.number_from) / span
    return (place.latitude + share * (place.end_latitude - place.latitude),
            place.longitude + share * (place.end_longitude - place.longitude))


def nearest_on(place, latitude, longitude):
    """``(metres, (lat, lon), house number or None)``: the place's nearest point to a pin."""
    if place.end_latitude is None or place.end_longitude is None:
        return (geo.distance_m(latitude, longitude, place.latitude, place.longitude),
                (place.latitude, place.longitude), None)
    # Project on the segment in a local plane where a degree of longitude is shorter.
    scale = math.cos(math.radians(latitude))
    dx = (place.end_longitude - place.longitude) * scale
    dy = place.end_latitude - place.latitude
    px = (longitude - place.longitude) * scale
    py = latitude - place.latitude
    length = dx * dx + dy * dy
    share = 0.0 if length == 0 else max(0.0, min(1.0, (px * dx + py * dy) / length))
    point = (place.latitude + share * (place.end_latitude - place.latitude),
             place.longitude + share * (place.end_longitude - place.longitude))
    number = None
    if place.has_range:
        number = round(place.number_from + share * (place.number_to - place.number_from))
    return geo.distance_m(latitude, longitude, *point), point, number
