"""The inbox sorted by the most time left first: running clocks still first, then
``due_at DESC NULLS LAST`` (``FeedbackIndexView.orderings["-due_at"]``). After ANALYZE,
PostgreSQL sorted the whole table for it (0.37 s at a million cases); this index makes it
an index walk. PostgreSQL only: SQLite takes no ``NULLS LAST`` in an index (and sorts a
town's cases quickly)."""

from django.db import migrations, models
from django.db.models import Case, F, Q, Value, When

from ._statistics import analyze_feedback

NAME = "palaute_feedback_time_left_dsc"


def index():
    # ``FeedbackQuerySet.clock_stopped()``, written out: a migration keeps its own copy.
    clock_stopped = Case(
        When(Q(first_response_at__isnull=True,
               status__in=("new", "in_progress", "work_list")), then=Value(0)),
        default=Value(1), output_field=models.IntegerField())
    return models.Index(clock_stopped, F("due_at").desc(nulls_last=True), F("id").desc(),
                        name=NAME)


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        feedback = apps.get_model("palaute_plugin", "Feedback")
        schema_editor.add_index(feedback, index())
        analyze_feedback(apps, schema_editor)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("palaute_plugin", "Feedback"), index())


class Migration(migrations.Migration):

    dependencies = [
        ("palaute_plugin", "0024_inbox_status_order"),
    ]

    operations = [
        migrations.RunPython(add, remove),
    ]
