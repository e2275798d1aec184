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


def time_in_turns(functions, repeat=15, warmup=2):
    """Median seconds of each of ``functions`` (a dict of name → callable), called in turns:
    one call of each per round, so that a busy moment weighs on all of them alike."""
    samples = {name: [] for name in functions}
    for round_number in range(warmup + repeat):
        for name, function in functions.items():
            elapsed = seconds(function)
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
    aim: float
    note: str = ""
    extra_flags: list = field(default_factory=list)

    @property
    def ratio(self):
        return self.ours / self.base if self.base else float("inf")

    @property
    def flags(self):
        flags = list(self.extra_flags)
        if self.ratio > self.aim:
            flags.insert(0, f"ratio > {self.aim:g}")
        return flags


def print_rows(title, rows, ours_label="ours ms", base_label="base ms"):
    print(f"\n{title}")
    print(f"{'measure':<62} {ours_label:>9} {base_label:>9} {'ratio':>7} {'aim':>6}  flag")
    for row in rows:
        flag = "FLAG " + "; ".join(row.flags) if row.flags else ""
        print(f"{row.name:<62} {row.ours * 1000:>9.2f} {row.base * 1000:>9.2f} "
              f"{row.ratio:>7.2f} {row.aim:>6g}  {flag}".rstrip())
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
