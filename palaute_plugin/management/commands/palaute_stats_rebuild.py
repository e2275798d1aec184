"""``manage.py palaute_stats_rebuild``: count the statistics' daily aggregate anew.

The ``palaute: refresh statistics`` schedule keeps it current by itself; rebuild
after deleting cases (a deletion leaves no changed case behind) or after restoring a
backup, or after a migration that cleared its state (``0016_stats_affected``).
``--days N`` rebuilds only the last N days. Each staff scope's default report is then
added up (``figures.warm_default_reports``), so that the first look at it is not the one
that waits.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from palaute_plugin.stats import aggregates, figures
from palaute_plugin.stats.models import StatisticsState


class Command(BaseCommand):
    help = "Rebuild the statistics' daily aggregate (all days, or the last --days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help="rebuild only this many days before today")

    def handle(self, *args, days=None, **options):
        yesterday = timezone.localdate() - timedelta(days=1)
        if days is None and not StatisticsState.objects.filter(
                changes_seen_until__isnull=False).exists():
            # Never counted (or cleared by a migration): the refresh's first run, which
            # also records it, so that the schedule does not count every day again.
            rebuilt = aggregates.refresh()
        else:
            if days is None:
                chosen = aggregates.all_days_until(yesterday)
            else:
                chosen = {yesterday - timedelta(days=n) for n in range(max(0, days))}
            rebuilt = aggregates.rebuild_days(chosen)
        self.stdout.write(f"Rebuilt {rebuilt} days.")
        warmed = figures.warm_default_reports()
        self.stdout.write(f"Added up {warmed} default reports.")
