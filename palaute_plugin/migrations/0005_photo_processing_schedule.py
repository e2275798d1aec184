"""The django-q2 schedule that processes photos whose task never ran."""

from django.db import migrations

SWEEP_FUNC = "palaute_plugin.tasks.process_pending_photos"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    schedules = Schedule.objects.using(schema_editor.connection.alias)
    if not schedules.filter(func=SWEEP_FUNC).exists():
        schedules.create(func=SWEEP_FUNC, name="palaute: process waiting photos",
                         schedule_type="I", minutes=5, repeats=-1)


def delete_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.using(schema_editor.connection.alias).filter(func=SWEEP_FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
        ("palaute_plugin", "0004_feedbackphoto_processing_state"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
