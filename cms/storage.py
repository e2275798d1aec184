"""Static files storage of the production site."""

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage


class StaticFilesStorage(ManifestStaticFilesStorage):
    """Hashed names for cache busting, with only CSS references rewritten.

    Django would also rewrite ``sourceMappingURL`` comments in JavaScript and fail when
    a vendor package (Leaflet.markercluster) refers to a map file it does not ship.
    """

    patterns = tuple((glob, rules) for glob, rules in ManifestStaticFilesStorage.patterns
                     if glob != "*.js")
