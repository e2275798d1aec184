"""The django-q2 schedule that retries email notifications every minute."""

from django.db import migrations

RETRY_FUNC = "palaute_plugin.tasks.retry_pending_notifications"


def create_retry_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    schedules = Schedule.objects.using(schema_editor.connection.alias)
    if schedules.filter(func=RETRY_FUNC).exists():
        return  # already there (re-run, or created by hand): keep its timing
    schedules.create(
        func=RETRY_FUNC,
        name="palaute: retry email notifications",
        schedule_type="I",  # Schedule.MINUTES
        minutes=1,
        repeats=-1,
    )


def delete_retry_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.using(schema_editor.connection.alias).filter(func=RETRY_FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
        ("palaute_plugin", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_retry_schedule, delete_retry_schedule),
    ]
