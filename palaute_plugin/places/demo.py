"""A few Tornio places for ``palaute_demo``: the local geocoder works out of the box."""

from .models import Place

# (kind, fi, sv, en, aliases, (lat, lon), (end lat, end lon) or None, numbers or None)
DEMO_PLACES = [
    ("landmark", "Kaupungintalo", "Stadshuset", "Town hall", "Tornion kaupungintalo",
     (65.84785, 24.14470), None, None),
    ("landmark", "Kompassi-asiakaspalvelupiste", "Kompassi kundtjänst",
     "Kompassi service point", "Kompassi\nAsiakaspalvelu", (65.84795, 24.14495), None, None),
    ("landmark", "Tornion pääkirjasto", "Torneå huvudbibliotek", "Tornio main library",
     "Kirjasto", (65.84660, 24.14440), None, None),
    ("landmark", "Putaan koulu", "Putaan koulu", "Putaa school", "", (65.85420, 24.16050),
     None, None),
    ("landmark", "Seminaarin koulu", "Seminaarin koulu", "Seminaari school", "",
     (65.84330, 24.15310), None, None),
    ("landmark", "Raumon koulu", "Raumon koulu", "Raumo school", "", (65.86230, 24.17640),
     None, None),
    ("landmark", "Aineen taidemuseo", "Aine konstmuseum", "Aine Art Museum", "Aine",
     (65.84590, 24.14030), None, None),
    ("landmark", "Tornion rautatieasema", "Torneå järnvägsstation", "Tornio railway station",
     "Asema", (65.85070, 24.16580), None, None),
    ("street", "Hallituskatu", "Regeringsgatan", "", "", (65.84470, 24.14020),
     (65.85140, 24.15190), (1, 40)),
    ("street", "Suensaarenkatu", "Svensaregatan", "", "", (65.84400, 24.14180),
     (65.85000, 24.15020), (1, 50)),
    ("street", "Länsiranta", "Västra stranden", "", "", (65.84250, 24.13760),
     (65.85480, 24.14100), (1, 60)),
    ("street", "Torikatu", "Torggatan", "", "", (65.84560, 24.14210), (65.84830, 24.15010),
     (1, 20)),
    ("street", "Keskikatu", "Mellangatan", "", "", (65.84700, 24.14120),
     (65.84480, 24.15290), (1, 30)),
    ("street", "Putaankatu", "Putaagatan", "", "", (65.85000, 24.15200), (65.85700, 24.16300),
     (1, 45)),
]


def create_places():
    """The demo's places, by their demo identifiers (safe to run again)."""
    for index, (kind, fi, sv, en, aliases, start, end, numbers) in enumerate(DEMO_PLACES):
        values = {"kind": kind, "name_fi": fi, "name_sv": sv, "name_en": en,
                  "aliases": aliases, "latitude": start[0], "longitude": start[1],
                  "end_latitude": end[0] if end else None,
                  "end_longitude": end[1] if end else None,
                  "number_from": numbers[0] if numbers else None,
                  "number_to": numbers[1] if numbers else None}
        Place.objects.update_or_create(external_id=f"demo-{index + 1}", defaults=values)
