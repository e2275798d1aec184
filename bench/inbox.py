"""(d) the staff inbox with 100,000 cases in the database against the same with 1,000.

The cases are a history: the newest 1,000 first (a young system), then 99,000
older ones (years of use, mostly closed). Page one shows the same cases in both,
so the ratio is what the size of the history costs a page.
Usage on its own: ``.venv/bin/python -m bench.inbox``
"""

import secrets
from datetime import timedelta

CATEGORIES = 20
HANDLED_CATEGORIES = 2
MINUTES_BETWEEN_CASES = 15
BATCH = 5_000


def build_staff():
    from django.contrib.auth.models import Permission

    from tests.factories import CategoryFactory, GroupFactory, UserFactory

    access = Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")
    categories, handlers = [], []
    for number in range(CATEGORIES):
        group = GroupFactory(name=f"Bench handlers {number}")
        group.permissions.add(access)
        person = UserFactory(username=f"bench_handler_{number}", first_name="Käsittelijä",
                             last_name=str(number))
        person.groups.add(group)
        handlers.append(person)
        categories.append(CategoryFactory(name_fi=f"Aihe {number}", handler_group=group,
                                          responsible_person=person))
    handler = UserFactory(username="bench_handler", first_name="Sanna", last_name="Katu")
    for category in categories[:HANDLED_CATEGORIES]:
        handler.groups.add(category.handler_group)
    superuser = UserFactory(username="bench_admin", is_superuser=True)
    for user in (handler, superuser):
        _in_english(user)
    return categories, handlers, handler, superuser


def _in_english(user):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()


def insert_cases(first, last, categories, handlers, now):
    """Cases ``first`` (newest) to ``last - 1``, with ``bulk_create``, not ``save()``."""
    from palaute_plugin.models import Feedback, FeedbackPhoto

    open_statuses = list(Feedback.OPEN_STATUSES)
    closed_statuses = [s for s in Feedback.Status.values if s not in open_statuses]
    for start in range(first, last, BATCH):
        cases = []
        for number in range(start, min(start + BATCH, last)):
            created = now - timedelta(minutes=MINUTES_BETWEEN_CASES * number)
            recent = number < 3_000
            is_open = number % 10 < (8 if recent else 1)
            statuses = open_statuses if is_open else closed_statuses
            category_index = number % len(categories)
            cases.append(Feedback(
                reference=f"B-{number:06d}", tracking_token=secrets.token_urlsafe(32),
                category=categories[category_index],
                kind=Feedback.Kind.values[number % 3],
                channel=Feedback.Channel.values[number % 7],
                message=f"Katuvalo {number} ei pala Hallituskadulla. " * 3,
                address=f"Hallituskatu {number % 90}", contact_email="asukas@example.com",
                status=statuses[number % len(statuses)],
                assignee=handlers[category_index] if number % 3 else None,
                created_at=created, due_at=created + timedelta(days=14),
            ))
        Feedback.objects.bulk_create(cases)  # sets pks on SQLite >= 3.35 and PostgreSQL
        FeedbackPhoto.objects.bulk_create([
            FeedbackPhoto(feedback=case, image=f"bench/{case.pk}.jpg",
                          thumbnail=f"bench/{case.pk}-t.jpg", width=1600, height=1200)
            for case in cases[::4]
        ])


def analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


class Databases:
    """The 1,000-case database and a copy grown to 100,000, swapped under Django's
    default connection, so that their requests can be timed in turns and a busy
    machine slows both alike. Each request opens the file anew, as production
    does on SQLite (``CONN_MAX_AGE = 0``)."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.small = connection.settings_dict["NAME"]
        self.large = f"{self.small}.large"

    def copy_small_to_large(self):
        import shutil

        self.connection.close()
        shutil.copyfile(self.small, self.large)

    def use(self, name):
        self.connection.close()
        self.connection.settings_dict["NAME"] = name

    def remove_large(self):
        import os

        self.use(self.small)
        os.remove(self.large)


def time_in_turns(requests, databases, repeat, warmup=2):
    """Median seconds of each ``(client, url)`` on each database, measured alternately."""
    import statistics
    import time

    samples = {(name, db): [] for name in requests for db in (databases.small, databases.large)}
    for round_number in range(warmup + repeat):
        for name, (client, url) in requests.items():
            for db in (databases.small, databases.large):
                databases.use(db)
                start = time.perf_counter()
                _get(client, url)
                elapsed = time.perf_counter() - start
                if round_number >= warmup:
                    samples[name, db].append(elapsed)
    return {key: statistics.median(values) for key, values in samples.items()}


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code


def logged_in_requests(handler, superuser, assignee):
    from django.test import Client
    from django.urls import reverse

    from palaute_plugin.staff.viewsets import feedback_viewset

    index = reverse(feedback_viewset.get_url_name("index"))
    requests = {}
    for name, user, url in (
        ("superuser", superuser, index),
        ("handler", handler, index),
        ("handler, open cases", handler, f"{index}?status=all_open"),
        ("handler, open + assignee + photos", handler,
         f"{index}?status=all_open&assignee={assignee.pk}&has_photos=true"),
    ):
        client = Client()
        client.force_login(user)  # the session row is copied with the database
        requests[name] = (client, url)
    return requests


def run(repeat=15):
    from django.db import connection
    from django.utils import timezone

    from palaute_plugin.models import Feedback

    if connection.vendor != "sqlite":
        raise RuntimeError("bench.inbox swaps SQLite files; run it with the default database")
    categories, handlers, handler, superuser = build_staff()
    requests = logged_in_requests(handler, superuser, handlers[0])
    earlier = Feedback.objects.count()  # cases of benchmarks run before this one
    now = timezone.now()
    insert_cases(0, 1_000, categories, handlers, now)
    analyze()
    databases = Databases()
    databases.copy_small_to_large()
    try:
        databases.use(databases.large)
        insert_cases(1_000, 100_000, categories, handlers, now)
        analyze()
        assert Feedback.objects.count() == earlier + 100_000
        medians = time_in_turns(requests, databases, repeat)
    finally:
        databases.remove_large()
    assert Feedback.objects.count() == earlier + 1_000
    from bench.common import Row

    return [Row(f"(d) inbox GET as {name}: 100,000 vs 1,000 cases",
                medians[name, databases.large], medians[name, databases.small], 1.5)
            for name in requests]


def main():
    import logging
    import sys

    from bench.common import exit_status, print_rows, setup_django, teardown_django

    setup_django()
    logging.disable(logging.INFO)
    try:
        rows = run()
        print_rows("Inbox (median of 15, Django test client, SQLite, measured in turns)", rows)
    finally:
        teardown_django()
    sys.exit(exit_status(rows, "--strict" in sys.argv))


if __name__ == "__main__":
    main()
