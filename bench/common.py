"""Benchmark helpers: a throw-away test database and timing by medians."""

import os
import statistics
import time

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


def median_seconds(func, repeat=15, warmup=2):
    for _ in range(warmup):
        func()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def print_rows(title, rows):
    print(f"\n{title}")
    print(f"{'measure':<58} {'ours ms':>9} {'base ms':>9} {'ratio':>7} {'aim':>6}")
    for name, ours, base, aim in rows:
        print(f"{name:<58} {ours * 1000:>9.2f} {base * 1000:>9.2f} {ours / base:>7.2f} "
              f"{aim:>6}")
