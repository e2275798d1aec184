"""The production settings, plus the few knobs the load and fault benches turn.

Used by ``bench/load.py`` and ``bench/faults.py`` only; each knob is read from the
environment and defaults to what ``cms.settings.production`` has.
"""

import os

from cms.settings.production import *  # noqa: F401,F403
from cms.settings.production import Q_CLUSTER

# The bench's residents fill the form faster than people do.
PALAUTE_MIN_SUBMIT_SECONDS = int(os.environ.get("PALAUTE_MIN_SUBMIT_SECONDS", "3"))
# A shorter retry schedule, so recovering from SMTP being down fits in a bench run.
PALAUTE_EMAIL_RETRY_BASE_SECONDS = int(os.environ.get("PALAUTE_EMAIL_RETRY_BASE_SECONDS", "60"))
# The site-wide circuit breaker would (rightly) stop a load test: raised for it.
PALAUTE_SITE_RATE_LIMIT = os.environ.get("PALAUTE_SITE_RATE_LIMIT", "1000/h")
PALAUTE_SITE_ALERT_COUNT = int(os.environ.get("PALAUTE_SITE_ALERT_COUNT", "200"))
# A shorter task timeout gives a shorter email lease (tasks.sending_lease_seconds).
_timeout = int(os.environ.get("Q_TIMEOUT", str(Q_CLUSTER["timeout"])))
Q_CLUSTER = {**Q_CLUSTER, "timeout": _timeout, "retry": max(Q_CLUSTER["retry"], 2 * _timeout)}
