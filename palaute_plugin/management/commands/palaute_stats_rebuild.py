"""``manage.py palaute_stats_rebuild``: count the statistics' daily aggregate anew.

The ``palaute: refresh statistics`` schedule keeps it current by itself; rebuild
after deleting cases (a deletion leaves no changed case behind) or after restoring a
backup. ``--days N`` rebuilds only the last N days.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from palaute_plugin.stats import aggregates


class Command(BaseCommand):
    help = "Rebuild the statistics' daily aggregate (all days, or the last --days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help="rebuild only this many days before today")

    def handle(self, *args, days=None, **options):
        yesterday = timezone.localdate() - timedelta(days=1)
        if days is None:
            chosen = aggregates.all_days_until(yesterday)
        else:
            chosen = {yesterday - timedelta(days=n) for n in range(max(0, days))}
        rebuilt = aggregates.rebuild_days(chosen)
        self.stdout.write(f"Rebuilt {rebuilt} days.")
