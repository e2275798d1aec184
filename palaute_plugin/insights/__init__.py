"""The response clock (reminders, escalation, digests), retention and residents' data
rights. It imports the domain modules; the domain never imports it (except
``models.py``, which imports ``insights.models`` so that Django registers them)."""
