"""django-q2 entry points of the response clock and retention (see ``tasks.SCHEDULES``)."""


def run_clock():
    """Hourly: reminders, escalations and the daily digests (``insights.clock``)."""
    from .clock import run_clock as run

    return run()


def apply_retention():
    """Daily: remove personal data and photos past their retention (``insights.retention``)."""
    from .retention import apply

    return apply()
