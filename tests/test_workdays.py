"""The working-day calendar of the response clock (palaute_plugin/workdays.py): weekends
and Finnish public holidays from the ``holidays`` library, in Finnish time."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from palaute_plugin import workdays
from palaute_plugin.models import FeedbackCategory

HELSINKI = ZoneInfo("Europe/Helsinki")


def at(*args):
    return datetime(*args, tzinfo=HELSINKI)


def test_weekends_are_not_working_days():
    assert workdays.is_working_day(date(2026, 3, 6))  # a Friday
    assert not workdays.is_working_day(date(2026, 3, 7))
    assert not workdays.is_working_day(date(2026, 3, 8))
    assert workdays.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)


@pytest.mark.parametrize("holiday", [
    date(2026, 1, 1),    # uudenvuodenpäivä
    date(2026, 1, 6),    # loppiainen
    date(2026, 4, 3),    # pitkäperjantai
    date(2026, 4, 6),    # 2. pääsiäispäivä
    date(2026, 5, 1),    # vappu
    date(2026, 5, 14),   # helatorstai
    date(2026, 6, 19),   # juhannusaatto (a day off in Finland)
    date(2026, 12, 24),  # jouluaatto
    date(2026, 12, 25),
    date(2026, 12, 26),
    date(2027, 12, 6),   # itsenäisyyspäivä (a Monday in 2027)
])
def test_finnish_holidays_are_not_working_days(holiday):
    assert not workdays.is_working_day(holiday)


def test_easter_moves_every_year():
    # Easter 2025: Good Friday 18.4., Easter Monday 21.4.; 2027: 26.3. and 29.3.
    assert not workdays.is_working_day(date(2025, 4, 18))
    assert not workdays.is_working_day(date(2025, 4, 21))
    assert workdays.is_working_day(date(2025, 4, 22))
    assert not workdays.is_working_day(date(2027, 3, 26))
    assert not workdays.is_working_day(date(2027, 3, 29))
    # Maundy Thursday is a working day: one working day later is the Tuesday after Easter.
    assert workdays.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)


def test_midsummer_eve_and_day():
    # Juhannusaatto is the Friday between 19 and 25 June, juhannuspäivä the Saturday after.
    assert workdays.is_working_day(date(2026, 6, 18))
    assert not workdays.is_working_day(date(2026, 6, 19))
    assert not workdays.is_working_day(date(2026, 6, 20))
    assert not workdays.is_working_day(date(2027, 6, 25))
    assert workdays.is_working_day(date(2027, 6, 18))
    # A case received on the Thursday before midsummer with two working days: Tuesday.
    assert workdays.add_working_days(at(2026, 6, 18, 14, 30), 2) == at(2026, 6, 23, 14, 30)


def test_christmas_week():
    # 2026: Christmas Eve Thursday, Christmas Friday, Boxing Day Saturday.
    assert workdays.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 28)
    assert workdays.working_days_between(date(2026, 12, 23), date(2026, 12, 28)) == 1


def test_a_weekend_case_counts_from_monday():
    assert workdays.add_working_days(at(2026, 3, 7, 10, 0), 1) == at(2026, 3, 9, 10, 0)


def test_time_of_day_is_kept_across_the_daylight_saving_change():
    # Summer time starts on Sunday 29 March 2026: 9:00 stays 9:00 local, one hour less UTC.
    due = workdays.add_working_days(at(2026, 3, 27, 9, 0), 1)
    assert due == at(2026, 3, 30, 9, 0)
    assert due.utcoffset() == timedelta(hours=3)


def test_subtract_working_days_is_the_inverse_over_holidays():
    assert workdays.subtract_working_days(date(2026, 6, 23), 2) == date(2026, 6, 18)
    assert workdays.subtract_working_days(date(2026, 4, 7), 1) == date(2026, 4, 2)


def test_zero_days_is_the_same_moment():
    assert workdays.add_working_days(at(2026, 6, 19, 12, 0), 0) == at(2026, 6, 19, 12, 0)


def test_category_due_time_counts_its_working_days():
    category = FeedbackCategory(expected_response_days=5)
    # Monday 1 June 2026 + 5 working days = Monday 8 June (no holiday that week).
    assert category.due_time(at(2026, 6, 1, 8, 0)) == at(2026, 6, 8, 8, 0)
    # Over midsummer: Tuesday 16 June + 5 = Wednesday 24 June (19.6. is off).
    assert category.due_time(at(2026, 6, 16, 8, 0)) == at(2026, 6, 24, 8, 0)
