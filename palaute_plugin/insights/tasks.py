"""django-q2 entry points of the response clock and retention (see ``tasks.SCHEDULES``)."""


def run_clock():
    """Hourly: reminders, escalations and the daily digests (``insights.clock``)."""
    from .clock import run_clock as run

    return run()


def apply_retention():
    """Hourly: remove personal data and photos past their retention (``insights.retention``).

    It stops halfway to django-q's task timeout; a large backlog (the first run on
    years of cases) is worked off by the following runs.
    """
    import time

    from django_q.conf import Conf

    from .retention import apply

    return apply(deadline=time.monotonic() + (Conf.TIMEOUT or 60) / 2)
