"""Working days: Monday to Friday except Finnish public holidays.

The holidays come from the maintained ``holidays`` library (``holidays.Finland``:
New Year, Epiphany, Good Friday, Easter Monday, May Day, Ascension Day, Midsummer
Eve and Day, All Saints' Day, Independence Day, Christmas Eve, Christmas and
Boxing Day), never from a list of our own. The response clock counts in the
site's time zone (``TIME_ZONE``, Europe/Helsinki in Tornio): a case received on
Friday afternoon with one working day is due on Monday at the same time.
"""

from datetime import datetime, time, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=64)
def finnish_holidays(year):
    """The Finnish public holidays of ``year`` (a dict-like of dates to names)."""
    return holidays.Finland(years=year)


def is_working_day(day):
    """Whether ``day`` (a date) is a working day: a weekday that is no public holiday."""
    return day.weekday() < 5 and day not in finnish_holidays(day.year)


def add_working_days(start, days):
    """``start`` (a date or an aware datetime) moved forward by ``days`` working days.

    A datetime keeps its local time of day on the day it lands on. Counting starts
    on the day after ``start``, so a case received on a Saturday with one working
    day is due on Monday.
    """
    if isinstance(start, datetime):
        local = timezone.localtime(start)
        day = add_working_days(local.date(), days)
        return timezone.make_aware(datetime.combine(day, local.time().replace(tzinfo=None)),
                                   local.tzinfo)
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def subtract_working_days(day, days):
    """The date ``days`` working days before ``day`` (a date)."""
    remaining = days
    while remaining > 0:
        day -= timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start, end):
    """Working days after ``start`` up to and including ``end`` (dates); 0 if ``end`` is
    not later."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


def end_of_day(day):
    """The last moment of ``day`` (a date) in the site's time zone, aware."""
    return timezone.make_aware(datetime.combine(day, time.max))


def local_date(moment=None):
    """The site's local date of ``moment`` (default now)."""
    return timezone.localdate(moment or timezone.now())

