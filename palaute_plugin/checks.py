"""System checks for the ``PALAUTE_*`` settings."""

from django.core.checks import Error, Tags, register

from .conf import palaute_setting


@register(Tags.compatibility)
def check_palaute_settings(app_configs, **kwargs):
    errors = []
    bounds = palaute_setting("AREA_BOUNDS")
    try:
        south, west, north, east = (float(v) for v in bounds)
        valid = -90 <= south < north <= 90 and -180 <= west < east <= 180
    except (TypeError, ValueError):
        valid = False
    if not valid:
        errors.append(
            Error(
                "PALAUTE_AREA_BOUNDS must be (south, west, north, east) in degrees.",
                id="palaute_plugin.E001",
            )
        )
    for name in ("MAX_PHOTOS", "PHOTO_MAX_BYTES", "PHOTO_MAX_PIXELS", "MESSAGE_MAX_LENGTH"):
        value = palaute_setting(name)
        if not isinstance(value, int) or value < 1:
            errors.append(
                Error(f"PALAUTE_{name} must be a positive integer.", id="palaute_plugin.E002")
            )
    if palaute_setting("MESSAGE_MIN_LENGTH") > palaute_setting("MESSAGE_MAX_LENGTH"):
        errors.append(
            Error(
                "PALAUTE_MESSAGE_MIN_LENGTH is larger than PALAUTE_MESSAGE_MAX_LENGTH.",
                id="palaute_plugin.E003",
            )
        )
    return errors
