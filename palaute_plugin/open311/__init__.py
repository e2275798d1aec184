"""Open311 GeoReport v2 (with Helsinki's extensions) under ``/open311/v2/``."""
