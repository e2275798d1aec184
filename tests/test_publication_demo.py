"""``palaute_demo`` sets up the publication workflow (contract names), idempotently."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import GroupApprovalTask, Workflow

from palaute_plugin.publication.models import FeedbackPublication

from .test_demo import run_demo

pytestmark = pytest.mark.django_db


def test_demo_creates_the_workflow_moderator_and_published_cases(client, settings, tmp_path):
    settings.PALAUTE_PHOTO_ROOT = str(tmp_path)
    run_demo()
    counts = (Workflow.objects.count(), GroupApprovalTask.objects.count(),
              FeedbackPublication.objects.count())
    run_demo()
    assert counts == (Workflow.objects.count(), GroupApprovalTask.objects.count(),
                      FeedbackPublication.objects.count())
    workflow = Workflow.objects.get(name="Palautteen julkaisu")
    assert workflow.active
    assert FeedbackPublication.get_default_workflow() == workflow
    task = GroupApprovalTask.objects.get(workflow_tasks__workflow=workflow)
    moderator = get_user_model().objects.get(username="moderaattori")
    assert set(task.groups.all()) == set(moderator.groups.all())
    assert moderator.has_perm("palaute_plugin.publish_feedbackpublication")
    published = FeedbackPublication.objects.public()
    assert published.count() >= 3
    response = client.get("/palaute/julkiset/")
    assert response.status_code == 200
    for publication in published:
        assert publication.title in response.content.decode()
        assert "@example.com" not in publication.text
    login = client.post("/admin/login/", {"username": "moderaattori", "password": "tornio-demo"})
    assert login.status_code == 302, "the demo moderator could not log in"
    assert client.get("/admin/snippets/palaute_plugin/feedbackpublication/").status_code == 200
