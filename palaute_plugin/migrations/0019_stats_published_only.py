"""The statistics' affected residents count a public record once it is first published
(``stats.aggregates.PUBLISHED_FIELD``): the days of the cases whose record was never
published (in moderation, cancelled, refused) are marked to be counted again by the next
refresh (the ``palaute: refresh statistics`` schedule, or ``palaute_stats_rebuild``)."""

from django.db import migrations
from django.utils import timezone


def mark_the_days_of_unpublished_records(apps, schema_editor):
    publications = apps.get_model("palaute_plugin", "FeedbackPublication")
    stale = apps.get_model("palaute_plugin", "StaleStatisticsDay")
    days = {timezone.localdate(created) for created in publications.objects.filter(
        first_published_at__isnull=True).values_list("feedback__created_at", flat=True)
        .iterator()}
    stale.objects.bulk_create([stale(day=day) for day in sorted(days)], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("palaute_plugin", "0018_photo_uploads"),
    ]

    operations = [
        migrations.RunPython(mark_the_days_of_unpublished_records, migrations.RunPython.noop),
    ]
