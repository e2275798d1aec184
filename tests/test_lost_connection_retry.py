"""A view that only read is run again when the database connection was lost under it."""

from types import SimpleNamespace

import pytest
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.template import engines
from django.template.response import TemplateResponse
from django.test import RequestFactory, override_settings
from django.urls import path
from wagtail.models import Locale, Page

from palaute_plugin.models import FeedbackCategory
from palaute_plugin.public.middleware import RetryAfterLostConnectionMiddleware

# Not in a test transaction: a request of the site runs in autocommit mode.
pytestmark = pytest.mark.django_db(transaction=True)


class FlakyView:
    """Raises ``OperationalError`` on its first ``failures`` calls, after ``work``."""

    def __init__(self, failures, work=lambda: None):
        self.calls, self.failures, self.work = 0, failures, work

    def __call__(self, request):
        self.calls += 1
        self.work()
        if self.calls <= self.failures:
            raise OperationalError("terminating connection due to administrator command")
        return HttpResponse("ok")


def serve(view, method="get"):
    """Run ``view`` as Django's handler does: the middleware around it, its
    ``process_exception`` on the view's exception (None: the exception stands)."""
    request = getattr(RequestFactory(), method)("/palaute/")
    request.resolver_match = SimpleNamespace(func=view, args=(), kwargs={})
    middleware = RetryAfterLostConnectionMiddleware(lambda r: None)

    def handler(request):
        try:
            return view(request)
        except OperationalError as error:
            response = middleware.process_exception(request, error)
            if response is None:
                raise
            return response

    middleware.get_response = handler
    return middleware(request)


def read():
    list(FeedbackCategory.objects.all()[:1])


def write():
    FeedbackCategory.objects.filter(pk=-1).update(sort_order=1)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_view_that_only_read_is_run_again_once_on_a_new_connection(method):
    view = FlakyView(failures=1, work=read)
    assert serve(view, method).content == b"ok"
    assert view.calls == 2
    assert connection.is_usable()


def test_a_view_that_wrote_is_not_run_again():
    view = FlakyView(failures=1, work=write)
    with pytest.raises(OperationalError):
        serve(view, "post")
    assert view.calls == 1


def test_a_view_that_wrote_and_may_run_again_is_run_again():
    view = FlakyView(failures=1, work=write)
    original = view.__call__

    def declaring(request):
        request.palaute_may_run_again = True
        return original(request)

    assert serve(declaring, "post").content == b"ok"
    assert view.calls == 2


def test_a_view_is_run_again_only_once():
    view = FlakyView(failures=2, work=read)
    with pytest.raises(OperationalError):
        serve(view)
    assert view.calls == 2


class FlakyTemplateValue:
    """A value its template calls while rendering: reads, and the first time raises
    ``OperationalError`` as a lazy query does when the connection was dropped."""

    calls = 0

    def __call__(self):
        type(self).calls += 1
        read()
        if type(self).calls == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return "rendered again"


def view_with_a_flaky_template(request):
    template = engines["django"].from_string("{{ value }}")
    return TemplateResponse(request, template, {"value": FlakyTemplateValue()})


urlpatterns = [path("flaky-template/", view_with_a_flaky_template)]


@override_settings(ROOT_URLCONF=__name__)
def test_a_connection_lost_while_rendering_runs_the_view_again_and_renders_it(client):
    """Through Django's own handler: the view's response is rendered after the view
    returned, so the connection is lost outside it; the page still arrives whole."""
    FlakyTemplateValue.calls = 0
    response = client.get("/flaky-template/")
    assert response.status_code == 200
    assert response.content == b"rendered again"
    assert FlakyTemplateValue.calls == 2


def test_other_errors_are_not_retried():
    calls = []

    def broken(request):
        calls.append(request)
        raise ValueError("a bug, not the database")

    request = RequestFactory().get("/")
    assert RetryAfterLostConnectionMiddleware(broken).process_exception(
        request, ValueError("x")) is None
    assert calls == []


def test_the_site_runs_it():
    from django.conf import settings

    assert "palaute_plugin.public.middleware.RetryAfterLostConnectionMiddleware" in \
        settings.MIDDLEWARE


def test_a_resident_whose_post_lost_its_connection_gets_one_case_and_one_receipt(
        client, responsible, monkeypatch):
    """The connection drops after the case, its photo and its log entry were written:
    the transaction rolls back, the form runs again, and the resident sees the receipt."""
    from django.core import mail

    from palaute_plugin import notifications
    from palaute_plugin.models import Feedback, FeedbackPhoto
    from tests.factories import CategoryFactory, feedback_page
    from tests.test_public_form import form_data, jpeg_file

    if Page.get_first_root_node() is None:  # a transactional test before this one flushed it
        Locale.objects.get_or_create(language_code="fi")
        Page.add_root(instance=Page(title="Root", slug="root"))
    page = feedback_page()
    category = CategoryFactory(responsible_person=responsible)
    real_notify, calls = notifications.notify_feedback_received, []

    def connection_lost_once(feedback):
        calls.append(feedback.pk)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_notify(feedback)

    monkeypatch.setattr(notifications, "notify_feedback_received", connection_lost_once)
    response = client.post(page.url, {**form_data(category), "photos": jpeg_file()})
    assert response.status_code == 302
    assert len(calls) == 2
    feedback = Feedback.objects.get()
    assert response["Location"].endswith(f"/{feedback.tracking_token}/")
    assert FeedbackPhoto.objects.filter(feedback=feedback).count() == 1
    assert [message.to for message in mail.outbox if "maija@example.com" in message.to] == [
        ["maija@example.com"]]
