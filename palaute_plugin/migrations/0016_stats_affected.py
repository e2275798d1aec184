"""The affected residents in the statistics' daily aggregate (``CaseDayStat.affected``),
and the days to count again after a deletion (``StaleStatisticsDay``).

The new column starts at zero: the aggregate's state is cleared, so the next refresh
(the ``palaute: refresh statistics`` schedule) counts every day anew, as on its first
run. ``manage.py palaute_stats_rebuild`` does it at once.
"""

import django.utils.timezone
from django.db import migrations, models


def count_every_day_anew(apps, schema_editor):
    apps.get_model("palaute_plugin", "StatisticsState").objects.update(changes_seen_until=None)


class Migration(migrations.Migration):

    dependencies = [
        ("palaute_plugin", "0015_pubfilters"),
    ]

    operations = [
        migrations.CreateModel(
            name="StaleStatisticsDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("day", models.DateField(verbose_name="day received")),
                ("marked_at", models.DateTimeField(default=django.utils.timezone.now,
                                                   verbose_name="marked")),
            ],
            options={
                "verbose_name": "day to count again",
                "verbose_name_plural": "days to count again",
            },
        ),
        migrations.AddField(
            model_name="casedaystat",
            name="affected",
            field=models.PositiveIntegerField(default=0, verbose_name="affected residents"),
        ),
        migrations.RunPython(count_every_day_anew, migrations.RunPython.noop),
    ]
