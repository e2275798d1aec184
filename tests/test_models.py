"""models.py: the case and category rules, each written once on the queryset and read
by the instance properties, the inbox filters, the dashboard and the forms."""

from datetime import timedelta

import pytest
from django.utils import timezone

from palaute_plugin.models import Feedback, FeedbackCategory, FeedbackQuerySet

from .factories import CategoryFactory, FeedbackFactory, OtherAuthorityFactory

pytestmark = pytest.mark.django_db

Status = Feedback.Status


@pytest.fixture
def clock_cases():
    """Cases on every side of the response clock, by what each should count as."""
    now = timezone.now()
    past, soon, later = now - timedelta(hours=1), now + timedelta(days=1), now + timedelta(days=9)
    category = CategoryFactory()

    def case(**fields):
        return FeedbackFactory(category=category, **fields)

    cases = {
        "overdue": [case(due_at=past),
                    case(due_at=past, status=Status.IN_PROGRESS),
                    case(due_at=past, status=Status.WORK_LIST)],
        "due_soon": [case(due_at=soon)],
        "on_time": [case(due_at=later)],
        "answered": [case(due_at=past, first_response_at=now - timedelta(minutes=5))],
        "closed": [case(due_at=past, status=status) for status in Status.values
                   if status not in Feedback.OPEN_STATUSES],
    }
    # Cases saved without a category's clock have no due time: never overdue.
    no_due_time = case()
    Feedback.objects.filter(pk=no_due_time.pk).update(due_at=None)
    cases["no_due_time"] = [Feedback.objects.get(pk=no_due_time.pk)]
    return now, cases


def test_overdue_is_open_unanswered_and_past_due(clock_cases):
    now, cases = clock_cases
    expected = {case.pk for case in cases["overdue"]}
    assert set(Feedback.objects.overdue(now).values_list("pk", flat=True)) == expected
    assert set(Feedback.objects.filter(~FeedbackQuerySet.overdue_q(now))
               .values_list("pk", flat=True)).isdisjoint(expected)


def test_the_instance_and_the_queryset_agree_on_overdue(clock_cases):
    now, cases = clock_cases
    overdue_in_sql = set(Feedback.objects.overdue(now).values_list("pk", flat=True))
    for group, members in cases.items():
        for case in members:
            assert (case.pk in overdue_in_sql) == (case.due_state(now) == "overdue"), group
            assert case.is_overdue == (group == "overdue"), group


def test_due_state_marks_due_soon_only_for_open_unanswered_cases(clock_cases):
    now, cases = clock_cases
    states = {group: {case.due_state(now) for case in members}
              for group, members in cases.items()}
    assert states == {"overdue": {"overdue"}, "due_soon": {"due_soon"}, "on_time": {""},
                      "answered": {""}, "closed": {""}, "no_due_time": {""}}
    [case] = cases["on_time"]
    assert case.due_state(now, soon=timedelta(days=10)) == "due_soon"


def test_open_and_closed_split_the_statuses():
    cases = {status: FeedbackFactory(status=status) for status in Status.values}
    open_pks = set(Feedback.objects.filter(FeedbackQuerySet.open_q()).values_list("pk", flat=True))
    closed_pks = set(Feedback.objects.exclude(FeedbackQuerySet.open_q())
                     .values_list("pk", flat=True))
    assert open_pks == {cases[s].pk for s in (Status.NEW, Status.IN_PROGRESS, Status.WORK_LIST)}
    assert closed_pks == {case.pk for case in cases.values()} - open_pks
    for case in cases.values():
        assert case.is_open == (case.pk in open_pks)


def test_only_active_city_categories_accept_feedback():
    authority = OtherAuthorityFactory()
    city = CategoryFactory()
    inactive = CategoryFactory(active=False)
    elsewhere = CategoryFactory(other_authority=authority)
    inactive_elsewhere = CategoryFactory(active=False, other_authority=authority)
    accepting = set(FeedbackCategory.objects.accepting_feedback())
    assert accepting == {city}
    assert set(FeedbackCategory.objects.active()) == {city, elsewhere}
    for category in (city, inactive, elsewhere, inactive_elsewhere):
        assert category.accepts_feedback == (category in accepting), category


@pytest.mark.parametrize("returning", [True, False], ids=["update-returning", "update-select"])
def test_references_run_per_year_from_one(settings, monkeypatch, returning):
    from django.db import connection

    from palaute_plugin.models import ReferenceSequence

    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", returning)
    settings.PALAUTE_REFERENCE_PREFIX = "TOR-"
    references = [ReferenceSequence.next_reference(year) for year in (2026, 2026, 2027, 2026)]
    assert references == ["TOR-2026-00001", "TOR-2026-00002", "TOR-2027-00001",
                          "TOR-2026-00003"]
    assert ReferenceSequence.objects.get(year=2026).last_number == 3
