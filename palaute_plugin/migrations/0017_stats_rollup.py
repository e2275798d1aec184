"""The statistics' monthly roll-up (``CaseMonthStat``, ``DurationMonthStat``,
``PlaceMonthStat``): the daily aggregate added up by month, which the report reads for
whole months. It is filled here from the daily rows in one statement per table
(seconds at a million cases; no case is read, nothing is counted anew), and kept
current by the refresh that rebuilds days. An index of the cases' ``updated_at``, by
which the refresh finds the cases changed since its last run.
"""

import django.db.models.deletion
from django.db import migrations, models

#: The roll-up's tables, the daily tables they add up, the columns grouped by besides
#: the month and the dimensions, and the columns added up.
ROLLUPS = (
    ("CaseMonthStat", "CaseDayStat", ("status", "closed_month"), ("count", "affected")),
    ("DurationMonthStat", "DurationDayStat", ("measure", "hours"), ("count",)),
    ("PlaceMonthStat", "PlaceDayStat", ("cell_lat", "cell_lon"), ("count",)),
)


def month_of_day(vendor, column):
    if vendor == "postgresql":
        return f"CAST(DATE_TRUNC('month', {column}) AS date)"
    if vendor == "sqlite":
        return f"DATE({column}, 'start of month')"
    raise NotImplementedError(vendor)


def roll_up_the_daily_rows(apps, schema_editor):
    quote = schema_editor.quote_name
    for month_name, day_name, columns, summed in ROLLUPS:
        month_table = apps.get_model("palaute_plugin", month_name)._meta.db_table
        day_table = apps.get_model("palaute_plugin", day_name)._meta.db_table
        grouped = [quote(name) for name in ("category_id", "kind", "channel", *columns)]
        month = month_of_day(schema_editor.connection.vendor, quote("day"))
        schema_editor.execute(
            f"INSERT INTO {quote(month_table)} ({quote('day')}, {', '.join(grouped)}, "
            f"{', '.join(quote(name) for name in summed)}) "
            f"SELECT {month}, {', '.join(grouped)}, "
            f"{', '.join(f'SUM({quote(name)})' for name in summed)} "
            f"FROM {quote(day_table)} GROUP BY {month}, {', '.join(grouped)}")


def month_fields(*fields):
    return [
        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                   verbose_name="ID")),
        ("day", models.DateField(db_index=True, help_text="The first day of the month.",
                                 verbose_name="month received")),
        ("kind", models.CharField(max_length=20, verbose_name="kind")),
        ("channel", models.CharField(max_length=20, verbose_name="channel")),
        ("count", models.PositiveIntegerField(default=0, verbose_name="cases")),
        *fields,
        ("category", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                       related_name="+", to="palaute_plugin.feedbackcategory",
                                       verbose_name="category")),
    ]


class Migration(migrations.Migration):

    dependencies = [
        ("palaute_plugin", "0016_stats_affected"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseMonthStat",
            fields=month_fields(
                ("status", models.CharField(max_length=20, verbose_name="status")),
                ("closed_month", models.DateField(blank=True, null=True,
                                                  verbose_name="month closed")),
                ("affected", models.PositiveIntegerField(default=0,
                                                         verbose_name="affected residents")),
            ),
            options={
                "verbose_name": "monthly case count",
                "verbose_name_plural": "monthly case counts",
                "indexes": [models.Index(fields=["closed_month"],
                                         name="palaute_plu_closed__746294_idx")],
            },
        ),
        migrations.CreateModel(
            name="DurationMonthStat",
            fields=month_fields(
                ("measure", models.CharField(
                    choices=[("first_response", "time to first response"),
                             ("closing", "time to closing")],
                    max_length=20, verbose_name="measure")),
                ("hours", models.PositiveIntegerField(verbose_name="hours at most")),
            ),
            options={
                "verbose_name": "monthly handling time",
                "verbose_name_plural": "monthly handling times",
            },
        ),
        migrations.CreateModel(
            name="PlaceMonthStat",
            fields=month_fields(
                ("cell_lat", models.IntegerField(verbose_name="cell row")),
                ("cell_lon", models.IntegerField(verbose_name="cell column")),
            ),
            options={
                "verbose_name": "monthly place count",
                "verbose_name_plural": "monthly place counts",
            },
        ),
        migrations.AddIndex(
            model_name="feedback",
            index=models.Index(fields=["updated_at", "created_at"],
                               name="palaute_feedback_updated_idx"),
        ),
        migrations.RunPython(roll_up_the_daily_rows, migrations.RunPython.noop),
    ]
