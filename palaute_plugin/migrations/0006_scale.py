"""Indexes that keep the staff's lists flat from a thousand cases to millions (issue 13).

On every database: a partial index of the open cases (``Feedback.Meta.indexes``).
On PostgreSQL only (the indexes are not in the models' state, so the autodetector
leaves them alone): ``pg_trgm`` GIN indexes serving the inbox's ``icontains``
search (``UPPER(col) LIKE '%q%'``), an ``UPPER(reference)`` pattern index serving
the reference prefix search (``UPPER(reference) LIKE 'Q%'``) and a ``due_at DESC NULLS
LAST`` index for the inbox's sort by due date. SQLite scans.
"""

from django.db import migrations, models

FEEDBACK_TABLE = "palaute_plugin_feedback"
#: (index name, indexed expression with its operator class, access method)
POSTGRESQL_INDEXES = [
    ("palaute_feedback_ref_prefix_idx", "UPPER(reference::text) text_pattern_ops", "btree"),
    ("palaute_feedback_ref_trgm_idx", "UPPER(reference::text) gin_trgm_ops", "gin"),
    ("palaute_feedback_msg_trgm_idx", "UPPER(message) gin_trgm_ops", "gin"),
    ("palaute_feedback_addr_trgm_idx", "UPPER(address::text) gin_trgm_ops", "gin"),
    # The inbox's "-due_at" (latest due first, cases without one last); SQLite's
    # CREATE INDEX takes no NULLS LAST.
    ("palaute_feedback_due_desc_idx", "due_at DESC NULLS LAST", "btree"),
]


def add_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension: the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression, method in POSTGRESQL_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {FEEDBACK_TABLE} USING {method} ({expression})")


def remove_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _expression, _method in POSTGRESQL_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("palaute_plugin", "0005_publication_blur"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="feedback",
            index=models.Index(
                condition=models.Q(("status__in", ("new", "in_progress", "work_list"))),
                fields=["status", "category", "assignee", "due_at", "first_response_at"],
                name="palaute_feedback_open_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="feedback",
            index=models.Index(fields=["status", "-id"], name="palaute_feedback_status_id_idx"),
        ),
        migrations.RunPython(add_postgresql_indexes, remove_postgresql_indexes,
                             elidable=False),
    ]
