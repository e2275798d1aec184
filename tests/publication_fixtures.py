"""People and a workflow for the publication tests."""

import pytest
from django.contrib.auth.models import Group
from django.test import TestCase

from palaute_plugin.publication import demo
from palaute_plugin.publication.actions import propose

from .admin_fixtures import admin_access, in_english
from .factories import FeedbackFactory, UserFactory


@pytest.fixture
def moderators():
    group, _ = Group.objects.get_or_create(name="Palautteen moderaattorit")
    group.permissions.add(admin_access())
    return group


@pytest.fixture
def workflow(moderators, streets, housing):
    return demo.setup_workflow(moderators, [streets.handler_group, housing.handler_group])


@pytest.fixture
def moderator(moderators):
    user = in_english(UserFactory(username="moderaattori"))
    user.groups.add(moderators)
    return user


@pytest.fixture
def personal_case(streets):
    return FeedbackFactory(
        category=streets, contact_name="Maija Meikäläinen", contact_email="maija@example.com",
        contact_phone="040 123 4567", latitude=65.846312, longitude=24.144087,
        message=("Maija Meikäläinen tässä. Katuvalo ei pala. Soita 040 123 4567 tai "
                 "maija@example.com. Hetu 131052-308T. Auto ABC-123 oli tiellä."))


def approve(publication, user):
    with TestCase.captureOnCommitCallbacks(execute=True):
        publication.current_workflow_state.current_task_state.approve(user=user)
    publication.refresh_from_db()
    return publication


def proposed(case, user):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return propose(case, user=user)
