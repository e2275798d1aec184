"""Two indexes that keep the Open311 list and the statistics flat at a million cases.

- ``FeedbackPublication.received_at``, a copy of the case's received time, with a
  partial index of the public records (live, not rejected) by it: the Open311 list
  and its total (``X-Result-Count``) over a 90-day window no longer join every case
  of the window. Filled here from the cases.
- A partial index of the open cases nobody has answered, by due time: the
  statistics' overdue count over ten years reads the index alone.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_received_times(apps, schema_editor):
    feedback = apps.get_model("palaute_plugin", "Feedback")
    publication = apps.get_model("palaute_plugin", "FeedbackPublication")
    received = feedback.objects.filter(pk=OuterRef("feedback_id")).values("created_at")[:1]
    publication.objects.update(received_at=Subquery(received))


class Migration(migrations.Migration):

    dependencies = [
        ("palaute_plugin", "0013_staff16"),
    ]

    operations = [
        migrations.AddField(
            model_name="feedbackpublication",
            name="received_at",
            field=models.DateTimeField(
                editable=False, null=True, verbose_name="received",
                help_text="The case's received time (a copy, so that lists by it need no join).",
            ),
        ),
        migrations.RunPython(copy_received_times, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="feedbackpublication",
            name="received_at",
            field=models.DateTimeField(
                editable=False, verbose_name="received",
                help_text="The case's received time (a copy, so that lists by it need no join).",
            ),
        ),
        migrations.AddIndex(
            model_name="feedback",
            index=models.Index(
                condition=models.Q(("first_response_at__isnull", True),
                                   ("status__in", ("new", "in_progress", "work_list"))),
                fields=["due_at", "created_at", "category", "id"],
                name="palaute_feedback_unanswer_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="feedbackpublication",
            index=models.Index(
                condition=models.Q(("live", True),
                                   models.Q(("shown_status", "rejected"), _negated=True)),
                fields=["received_at", "id", "shown_status", "category"],
                name="palaute_pub_received",
            ),
        ),
    ]
