"""The statistics' handling times say whether each case was answered (and closed) by its
due time, which counts working days (``DurationDayStat.on_time``): "answered within the
expected time" compared hours with calendar days. Every day with handling times is marked
to be counted again by the next refresh (the ``palaute: refresh statistics`` schedule, or
``palaute_stats_rebuild``); until then those days' share is left out, not guessed."""

from django.db import migrations, models


def mark_every_day_with_handling_times(apps, schema_editor):
    durations = apps.get_model("palaute_plugin", "DurationDayStat")
    stale = apps.get_model("palaute_plugin", "StaleStatisticsDay")
    days = durations.objects.order_by("day").values_list("day", flat=True).distinct()
    stale.objects.bulk_create([stale(day=day) for day in days.iterator()], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("palaute_plugin", "0019_stats_published_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="durationdaystat",
            name="on_time",
            field=models.BooleanField(null=True, verbose_name="by the due time"),
        ),
        migrations.AddField(
            model_name="durationmonthstat",
            name="on_time",
            field=models.BooleanField(null=True, verbose_name="by the due time"),
        ),
        migrations.RunPython(mark_every_day_with_handling_times, migrations.RunPython.noop),
    ]
