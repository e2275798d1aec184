"""The benchmarks' timing in turns (``bench.common.time_in_turns``): a median for every
name, every function called as often as the others, one call of each per round, the
preparation untimed, and each round at another frame-stack offset, the same for all."""

import sys

from bench import common


def frame_depth():
    depth, frame = 0, sys._getframe(1)
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


def recorder(calls, name):
    def function():
        calls.append((name, frame_depth()))
    return function


def test_every_name_has_its_median_and_as_many_calls_in_turns():
    calls = []
    medians = common.time_in_turns({"ours": recorder(calls, "ours"),
                                    "baseline": recorder(calls, "baseline"),
                                    "third": recorder(calls, "third")}, repeat=5, warmup=2)
    assert sorted(medians) == ["baseline", "ours", "third"]
    assert all(isinstance(value, float) and value >= 0 for value in medians.values())
    names = [name for name, _depth in calls]
    assert names == ["ours", "baseline", "third"] * 7  # warm-up rounds called too, in turns


def test_the_medians_are_of_the_timed_rounds_only(monkeypatch):
    """Warm-up rounds are left out; each name's median is of its own samples."""
    durations = iter([9.0, 90.0, 9.0, 90.0,  # warm-up: left out
                      1.0, 10.0, 3.0, 30.0, 2.0, 20.0])

    def fake_seconds(function):
        function()
        return next(durations)

    monkeypatch.setattr(common, "seconds", fake_seconds)
    medians = common.time_in_turns({"ours": lambda: None, "baseline": lambda: None},
                                   repeat=3, warmup=2)
    assert medians == {"ours": 2.0, "baseline": 20.0}


def test_the_preparation_comes_first_and_is_not_timed(monkeypatch):
    events = []

    def fake_seconds(function):
        events.append("timer started")
        function()
        return 1.0

    monkeypatch.setattr(common, "seconds", fake_seconds)
    common.time_in_turns({"miss": lambda: events.append("miss"),
                          "hit": lambda: events.append("hit")},
                         repeat=1, warmup=1, prepare={"miss": lambda: events.append("bump")})
    assert events == ["bump", "timer started", "miss", "timer started", "hit"] * 2


def test_each_round_calls_at_another_stack_offset_the_same_for_all():
    calls = []
    rounds = 6
    common.time_in_turns({"ours": recorder(calls, "ours"),
                          "baseline": recorder(calls, "baseline")}, repeat=rounds - 1, warmup=1)
    ours = [depth for name, depth in calls if name == "ours"]
    baseline = [depth for name, depth in calls if name == "baseline"]
    assert ours == baseline  # the same offset for both sides of a round
    assert len(set(ours)) == rounds  # a different one every round
    offsets = [common.stack_offset(number) for number in range(rounds)]
    assert [depth - ours[0] for depth in ours] == [offset - offsets[0] for offset in offsets]
    # Over as many rounds as there are offsets, every offset in 0..STACK_OFFSETS-1 once.
    assert sorted(common.stack_offset(number) for number in range(common.STACK_OFFSETS)) == (
        list(range(common.STACK_OFFSETS)))


def test_compare_and_median_seconds_go_through_the_turns(monkeypatch):
    seen = []

    def fake_time_in_turns(functions, repeat, warmup):
        seen.append((sorted(functions), repeat, warmup))
        return {name: 0.002 if name == "ours" else 0.001 for name in functions}

    monkeypatch.setattr(common, "time_in_turns", fake_time_in_turns)
    row = common.compare("x", lambda: None, lambda: None, aim=1.5, repeat=4, warmup=1)
    assert row.ratio == 2.0
    assert row.flags == ["ratio > 1.5"]
    assert common.median_seconds(lambda: None, repeat=3) == 0.001
    assert seen == [(["baseline", "ours"], 4, 1), (["only"], 3, 2)]


def test_the_scale_rows_month_a_year_ago_is_thirty_valid_days():
    from datetime import UTC, date, datetime, timedelta

    from bench.scale import OPERATIONS, a_month_a_year_ago

    dates = a_month_a_year_ago()
    since, until = (date.fromisoformat(dates[name]) for name in ("since", "until"))
    assert until == datetime.now(UTC).date() - timedelta(days=365)
    assert until - since == timedelta(days=29)  # both days included: 30 days
    [row] = [op for op in OPERATIONS if "a month a year ago" in op.name]
    assert row.uncached and row.user is None
