"""The public list filtered by status, topic or kind reads one partial index range."""

from django.db import migrations, models

PUBLIC = models.Q(("live", True), models.Q(("shown_status", "rejected"), _negated=True))


def public_index(field, name):
    return migrations.AddIndex(
        model_name="feedbackpublication",
        index=models.Index(condition=PUBLIC, fields=[field, "-first_published_at", "-id"],
                           name=name),
    )


class Migration(migrations.Migration):

    dependencies = [
        ("palaute_plugin", "0014_perf"),
    ]

    operations = [
        public_index("shown_status", "palaute_pub_status"),
        public_index("category", "palaute_pub_category"),
        public_index("kind", "palaute_pub_kind"),
    ]
