"""The city's own list of places: the local geocoder's data, its import and its search."""
