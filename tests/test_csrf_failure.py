"""A post that fails the CSRF check gets a styled, translated page with the text kept."""

import pytest
from django.test import Client

from tests.factories import FeedbackFactory, feedback_page

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("prefix", "heading"), [
    ("", "Lomaketta ei voitu lähettää"),
    ("/sv", "Formuläret kunde inte skickas"),
    ("/en", "The form could not be sent"),
])
def test_csrf_failure_keeps_the_text_escaped_in_the_residents_language(prefix, heading):
    page = feedback_page()
    feedback = FeedbackFactory(page=page)
    client = Client(enforce_csrf_checks=True)
    path = f"{prefix}/palaute/status/{feedback.tracking_token}/"

    response = client.post(path, {"message": "Lisätietoa <script>alert(1)</script>"})

    assert response.status_code == 403
    html = response.content.decode()
    assert heading in html
    assert "Lisätietoa &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert f'href="{path}"' in html
    assert response["Cache-Control"].startswith("max-age=0")
    assert feedback.notifications.count() == 0
