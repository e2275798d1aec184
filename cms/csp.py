"""Content-Security-Policy for the site (django-csp), with a policy of its own for the admin.

Public pages get a strict policy: scripts, styles, fonts and frames only from our own
origin, images also from the map tile server (``GEO_WIDGET_LEAFLET_TILE_LAYER``).
The Wagtail admin has inline scripts (its date widgets) and ``style`` attributes,
so paths under ``/admin/`` get ``ADMIN_CSP_DIRECTIVES`` with ``'unsafe-inline'``;
nothing loads from a third party in either.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


class SiteCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path_info.startswith("/admin/") and parts.config is None:
            return PolicyParts(settings.ADMIN_CSP_DIRECTIVES, parts.update, parts.replace,
                               parts.nonce)
        return parts
