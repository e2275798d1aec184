import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_admin_login_page_is_served_in_finnish(client):
    response = client.get(reverse("wagtailadmin_login"))
    assert response.status_code == 200
    assert 'lang="fi"' in response.content.decode()
