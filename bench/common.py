"""Benchmark helpers: a throw-away test database, timing in turns, medians, ratios, flags.

Every comparison times its sides alternately (ours, baseline, ours, baseline, ...)
so that load from other processes on a shared machine hits both alike, and each
row carries its aim: a row whose ratio misses the aim is flagged, and
``--strict`` turns any flag into a non-zero exit status.
"""

import os
import statistics
import time
from dataclasses import dataclass, field

import django


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Emails go to the queue as in production, not sent inline by a synchronous worker.
    os.environ.setdefault("PALAUTE_Q_SYNC", "0")
    django.setup()
    from django.db import connection

    # No setup_test_environment(): its instrumented template rendering would
    # weigh on template-heavy pages and distort the ratios.
    connection.creation.create_test_db(verbosity=0, autoclobber=True)


def teardown_django():
    from django.db import connection

    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


def seconds(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


#: How many frame-stack offsets the rounds rotate through, and the step between the
#: offsets of successive rounds (coprime with it, so that a few rounds already spread
#: over the range). CPython 3.11 allocates frames in 16 KiB chunks and frees a chunk as
#: soon as its first frame returns (gh-142183): a timed function whose stack happens to
#: oscillate across a chunk's end pays a chunk's allocation and release over and over,
#: on every call, and where that happens depends on how deep the bench's own caller sat
#: (``python -m bench.web`` and an import of it differ by a few frames; the miss of
#: ``julkiset/`` measured 1.63-1.78 one way and 1.29-1.38 the other). Each round calls the
#: functions ``offset`` small frames deeper (about 120 bytes each: 128 of them span a
#: chunk), the same offset for every function of the round, so that no side is pinned to
#: a boundary and both sides meet the same ones.
STACK_OFFSETS = 128
STACK_OFFSET_STEP = 53


def stack_offset(round_number):
    """The frame-stack offset (a number of frames) of round ``round_number``."""
    return round_number * STACK_OFFSET_STEP % STACK_OFFSETS


def at_depth(depth, function):
    """``function()`` called ``depth`` frames deeper than this call; its result returned."""
    if depth > 0:
        return at_depth(depth - 1, function)
    return function()


def time_in_turns(functions, repeat=15, warmup=2, prepare=None):
    """Median seconds of each of ``functions`` (a dict of name → callable), called in turns:
    one call of each per round, so that a busy moment weighs on all of them alike.

    ``prepare`` (name → callable, optional) is called, untimed, before its function in
    every round: emptying a cache or bumping a version, the editor's work and not the
    resident's. Each round times its calls at another frame-stack offset
    (``stack_offset``), the same for all of the round's functions.
    """
    prepare = prepare or {}
    samples = {name: [] for name in functions}
    for round_number in range(warmup + repeat):
        depth = stack_offset(round_number)
        for name, function in functions.items():
            if name in prepare:
                prepare[name]()
            elapsed = at_depth(depth, lambda function=function: seconds(function))
            if round_number >= warmup:
                samples[name].append(elapsed)
    return {name: statistics.median(values) for name, values in samples.items()}


def compare(name, ours, baseline, aim, repeat=15, warmup=2, note=""):
    """A ``Row`` of ``ours`` against ``baseline``, timed in turns."""
    medians = time_in_turns({"ours": ours, "baseline": baseline}, repeat, warmup)
    return Row(name, medians["ours"], medians["baseline"], aim, note=note)


def median_seconds(func, repeat=15, warmup=2):
    return time_in_turns({"only": func}, repeat, warmup)["only"]


@dataclass
class Row:
    """One figure: ours against a baseline, with the aim its ratio must not exceed.

    ``extra_flags`` are reasons to flag beyond the ratio (e.g. differing query counts).
    """

    name: str
    ours: float
    base: float
    #: None: measured for the record (a worker's cost, say), with no aim of its own.
    aim: float | None
    note: str = ""
    extra_flags: list = field(default_factory=list)

    @property
    def ratio(self):
        return self.ours / self.base if self.base else float("inf")

    @property
    def flags(self):
        flags = list(self.extra_flags)
        if self.aim is not None and self.ratio > self.aim:
            flags.insert(0, f"ratio > {self.aim:g}")
        return flags


def print_rows(title, rows, ours_label="ours ms", base_label="base ms"):
    print(f"\n{title}")
    print(f"{'measure':<62} {ours_label:>9} {base_label:>9} {'ratio':>7} {'aim':>6}  flag")
    for row in rows:
        flag = "FLAG " + "; ".join(row.flags) if row.flags else ""
        print(f"{row.name:<62} {row.ours * 1000:>9.2f} {row.base * 1000:>9.2f} "
              f"{row.ratio:>7.2f} {'-' if row.aim is None else format(row.aim, 'g'):>6}  "
              f"{flag}".rstrip())
        if row.note:
            print(f"    {row.note}")


def flagged(rows):
    return [row for row in rows if row.flags]


def exit_status(rows, strict):
    """0, or 1 under ``--strict`` when any row is flagged."""
    missed = flagged(rows)
    if missed:
        print(f"\n{len(missed)} figure(s) miss their aim: "
              + ", ".join(row.name for row in missed))
    return 1 if strict and missed else 0
