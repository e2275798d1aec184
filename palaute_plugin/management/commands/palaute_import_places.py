"""``manage.py palaute_import_places FILE``: the city's places from a CSV or GeoJSON export."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...places.importing import PlaceImportError, import_places, read_csv, read_geojson


class Command(BaseCommand):
    help = ("Import places for the local geocoder from a CSV or GeoJSON file "
            "(all rows or none; rows with a known external_id update that place).")

    def add_arguments(self, parser):
        parser.add_argument("path", help="A .csv or .geojson/.json file in UTF-8.")
        parser.add_argument("--format", choices=["csv", "geojson"],
                            help="Read the file as this (default: from its name).")
        parser.add_argument("--replace", action="store_true",
                            help="Delete the places the file does not contain.")

    def handle(self, *args, path, format, replace, **options):
        file_path = Path(path)
        try:
            text = file_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Could not read {path}: {error}") from None
        format = format or ("csv" if file_path.suffix.lower() == ".csv" else "geojson")
        try:
            rows = read_csv(text) if format == "csv" else read_geojson(text)
            result = import_places(rows, replace=replace)
        except PlaceImportError as error:
            raise CommandError("Nothing was imported:\n" + "\n".join(error.errors)) from None
        self.stdout.write(f"Imported {result.created} new and updated {result.updated} "
                          f"places from {path}.")
