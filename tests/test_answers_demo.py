"""``palaute_demo`` sets up answer approval for a sensitive category, idempotently."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Workflow

from palaute_plugin.answers import demo
from palaute_plugin.answers.models import AnswerApprovalTask, AnswerDraft
from palaute_plugin.models import FeedbackCategory

from .test_demo import run_demo

pytestmark = pytest.mark.django_db


def test_demo_sets_up_an_approval_category_its_approver_and_the_workflow(client, settings,
                                                                         tmp_path):
    settings.PALAUTE_PHOTO_ROOT = str(tmp_path)
    output = run_demo()
    counts = (Workflow.objects.count(), AnswerApprovalTask.objects.count())
    run_demo()
    assert counts == (Workflow.objects.count(), AnswerApprovalTask.objects.count())
    workflow = Workflow.objects.get(name=demo.WORKFLOW_NAME)
    assert workflow.active
    assert AnswerDraft.get_default_workflow() == workflow
    category = FeedbackCategory.objects.get(service_code=demo.CATEGORY[0])
    assert category.answer_approvers.name == demo.APPROVER_GROUP_NAME
    assert category.handler_group.name == "Asumisen käsittelijät"
    # Only that category needs approval: the rest answer as before.
    assert list(FeedbackCategory.objects.filter(answer_approvers__isnull=False)) == [category]
    approver = get_user_model().objects.get(username="hyvaksyja")
    assert set(approver.groups.all()) == {category.answer_approvers}
    assert "hyvaksyja" in output
    login = client.post("/admin/login/", {"username": "hyvaksyja", "password": "tornio-demo"})
    assert login.status_code == 302, "the demo approver could not log in"
    assert client.get("/admin/snippets/palaute_plugin/answerdraft/").status_code == 200
