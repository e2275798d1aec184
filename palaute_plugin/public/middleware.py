"""Middleware: oversized posts refused unread; a view run again after a lost connection.

``UploadSizeLimitMiddleware`` refuses an oversized post before it is read, instead
of after writing it all to disk.

Add ``palaute_plugin.public.middleware.UploadSizeLimitMiddleware`` before
``CsrfViewMiddleware`` (which reads the body). A post to any page outside the
Wagtail admin whose ``Content-Length`` is above what the feedback forms can ever
accept (``PALAUTE_MAX_PHOTOS`` photos of ``PALAUTE_PHOTO_MAX_BYTES`` plus the
form) gets a translated 413 page at once. Set the reverse proxy's body limit
(nginx ``client_max_body_size``) to the same figure.
"""

import logging
import threading

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.template.response import TemplateResponse
from django.urls import reverse

from ..conf import palaute_setting

logger = logging.getLogger(__name__)

FORM_ALLOWANCE_BYTES = 1024 * 1024  # the text fields and multipart overhead


def max_request_bytes():
    configured = palaute_setting("MAX_REQUEST_BYTES")
    if configured:
        return configured
    return palaute_setting("MAX_PHOTOS") * palaute_setting("PHOTO_MAX_BYTES") + FORM_ALLOWANCE_BYTES


class UploadSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and self.too_large(request) and not self.in_admin(request):
            return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def too_large(request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        return length > max_request_bytes()

    @staticmethod
    def in_admin(request):
        return request.path_info.startswith(reverse("wagtailadmin_home"))

    @staticmethod
    def refuse(request):
        megabytes = palaute_setting("PHOTO_MAX_BYTES") // (1024 * 1024)
        context = {"max_photos": palaute_setting("MAX_PHOTOS"), "megabytes": megabytes,
                   "return_url": request.path}
        response = TemplateResponse(request, "palaute_plugin/too_large.html", context,
                                    status=413)
        # No "Connection: close": a WSGI application may not send hop-by-hop headers
        # (wsgiref, behind runserver, answered 500); the server closes the connection
        # with the body unread.
        return response.render()


#: Statements that change nothing: a view that ran only these can be run again.
_READ_ONLY_PREFIXES = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET", "SHOW")


class RetryAfterLostConnectionMiddleware:
    """Run a view once more when the database connection was lost under it.

    A connection the database server dropped (a restart, a failover, an operator's
    ``pg_terminate_backend``) fails the request that was using it, even with
    ``CONN_HEALTH_CHECKS``, which only checks before a request's first query. The
    view is run again on a new connection when it raised ``OperationalError`` or
    ``InterfaceError`` and had changed nothing: every statement it ran was a read,
    so running it again is what the person would do by reloading, minus the error
    page. A view that wrote anything is not run again (its 500 stands) unless it
    said that it may be (``request.palaute_may_run_again``: the feedback form, whose
    form token makes a repeated post answer with the first case); never one inside a
    transaction of the request (``ATOMIC_REQUESTS``), and never twice. A connection
    lost while the view's template response was rendering counts as the view's.

    Add ``palaute_plugin.public.middleware.RetryAfterLostConnectionMiddleware`` to
    ``MIDDLEWARE`` (anywhere; it only acts on a view's exception).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.local = threading.local()

    def __call__(self, request):
        connection = connections[DEFAULT_DB_ALIAS]
        self.local.wrote = False
        with connection.execute_wrapper(self.watch):
            return self.get_response(request)

    def watch(self, execute, sql, params, many, context):
        # Marked before it runs: a write that fails on a lost connection may have been
        # committed by the server all the same (only its answer was lost). Once a write
        # is seen, later statements need no look (this runs for every query).
        if not getattr(self.local, "wrote", False) and not str(sql).lstrip()[:9].upper().startswith(
                _READ_ONLY_PREFIXES):
            self.local.wrote = True
        return execute(sql, params, many, context)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        connection = connections[DEFAULT_DB_ALIAS]
        wrote = getattr(self.local, "wrote", True)
        if ((wrote and not getattr(request, "palaute_may_run_again", False))
                or connection.in_atomic_block
                or getattr(request, "_palaute_ran_again", False)
                or request.resolver_match is None):
            return None
        request._palaute_ran_again = True
        logger.warning("Database connection lost during %s %s (%s); running the view again.",
                       request.method, request.path, exception)
        connection.close()
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        # Rendered here: Django renders a template response that a middleware returns
        # for a view's exception, but not one returned for an exception in rendering
        # (a lazy query of the template), which would reach the client unrendered.
        if callable(getattr(response, "render", None)):
            response = response.render()
        return response
