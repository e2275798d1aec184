"""Signals the domain sends, so that feature packages can follow a case without
the domain importing them.

``status_changed`` is sent after commit-safe status changes by ``actions.py``
with ``feedback`` (the updated case) and ``old_status``.
"""

from django.dispatch import Signal

status_changed = Signal()
