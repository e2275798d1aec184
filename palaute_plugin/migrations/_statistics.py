"""For migrations that add an expression index to the cases' table (Django's migration
loader skips modules whose name starts with an underscore)."""


def analyze_feedback(apps, schema_editor):
    """PostgreSQL keeps statistics of an expression index's values only after ANALYZE.
    Until then it guesses (one email address matching 0.5 % of the cases, say) and picks
    another plan: 1.1 s at a million cases for the email search, 0.2 ms after."""
    if schema_editor.connection.vendor == "postgresql":
        feedback = apps.get_model("palaute_plugin", "Feedback")
        schema_editor.execute(f"ANALYZE {schema_editor.quote_name(feedback._meta.db_table)}")
