"""Approvers, a category whose answers need approval, and its workflow."""

import pytest
from django.test import TestCase

from palaute_plugin import actions
from palaute_plugin.answers import demo

from .admin_fixtures import admin_access, in_english
from .factories import FeedbackFactory, GroupFactory, UserFactory


@pytest.fixture
def answer_approvers():
    group = GroupFactory(name="Answer approvers")
    group.permissions.add(admin_access())
    return group


@pytest.fixture
def answer_workflow():
    return demo.setup_workflow()


@pytest.fixture
def approval_category(streets, answer_approvers, answer_workflow):
    """``streets`` (the ``handler``'s category), its answers approved by ``approver``."""
    return demo.require_approval(streets, answer_approvers)


@pytest.fixture
def approver(answer_approvers):
    user = in_english(UserFactory(username="hyvaksyja", email="hyvaksyja@tornio.example"))
    user.groups.add(answer_approvers)
    return user


@pytest.fixture
def sensitive_case(approval_category):
    return FeedbackFactory(category=approval_category, language="sv",
                           message="Jag behöver hjälp med hyran.",
                           contact_email="invanare@example.com")


def submitted(case, user, action="reply", text="Vi hjälper dig gärna."):
    """The case's answer, submitted for approval through ``action``."""
    argument = "reason" if action == "close" else "message"
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = actions.ACTIONS[action](case, user=user, **{argument: text})
    return result.submitted_answer


def decide(answer, user, decision="approve", comment=""):
    with TestCase.captureOnCommitCallbacks(execute=True):
        task_state = answer.current_workflow_state.current_task_state
        getattr(task_state, decision)(user=user, comment=comment)
    answer.refresh_from_db()
    return answer
