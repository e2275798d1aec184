"""Signals the domain sends, so that feature packages can follow a case without
the domain importing them.

``status_changed`` is sent by ``actions.py`` inside the transaction that changes a
case's status, with ``feedback`` (the updated case) and ``old_status``; receivers'
writes commit or roll back with the change.
"""

from django.dispatch import Signal

status_changed = Signal()
