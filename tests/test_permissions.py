"""permissions.py: the one rule deciding which staff see which feedback."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from palaute_plugin.models import Feedback, FeedbackCategory
from palaute_plugin.permissions import (
    FeedbackPermissionPolicy,
    can_view_feedback,
    feedback_administrators,
    feedback_for_user,
    handlers_of,
    may_handle,
    sees_all_feedback,
    user_can_access_feedback_admin,
    visible_categories,
)

from .factories import CategoryFactory, FeedbackFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def admin_access():
    return Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")


def view_all():
    return Permission.objects.get(codename="view_all_feedback")


@pytest.fixture
def world():
    """Two categories with their own handler groups, a case in each, and the people."""
    streets_group = GroupFactory(name="Streets")
    housing_group = GroupFactory(name="Housing")
    for group in (streets_group, housing_group):
        group.permissions.add(admin_access())
    streets = CategoryFactory(handler_group=streets_group)
    housing = CategoryFactory(handler_group=housing_group)
    street_handler = UserFactory(username="street_handler")
    street_handler.groups.add(streets_group)
    return {
        "streets": streets,
        "housing": housing,
        "street_case": FeedbackFactory(category=streets),
        "housing_case": FeedbackFactory(category=housing),
        "street_handler": street_handler,
        "housing_group": housing_group,
    }


def fresh(user):
    """The user as a new request would load it (Django caches permissions per instance)."""
    return type(user).objects.get(pk=user.pk)


def test_handler_group_member_sees_only_their_categories(world):
    user = world["street_handler"]
    assert list(visible_categories(user)) == [world["streets"]]
    assert list(feedback_for_user(user)) == [world["street_case"]]
    assert can_view_feedback(user, world["street_case"])
    assert not can_view_feedback(user, world["housing_case"])


def test_responsible_person_sees_their_category_without_the_group(world):
    person = UserFactory(username="responsible")
    world["housing"].responsible_person = person
    world["housing"].save()
    assert list(visible_categories(person)) == [world["housing"]]
    assert list(feedback_for_user(person)) == [world["housing_case"]]
    assert can_view_feedback(person, world["housing_case"])
    assert not can_view_feedback(person, world["street_case"])


def test_assignee_sees_the_case_assigned_to_them_in_another_category(world):
    user = world["street_handler"]
    world["housing_case"].assignee = user
    world["housing_case"].save()
    other_housing_case = FeedbackFactory(category=world["housing"])

    visible = set(feedback_for_user(user))
    assert visible == {world["street_case"], world["housing_case"]}
    assert can_view_feedback(user, world["housing_case"])
    assert not can_view_feedback(user, other_housing_case)
    # Being assigned one case does not open the whole category.
    assert list(visible_categories(user)) == [world["streets"]]


def test_member_of_several_groups_sees_each_without_duplicates(world):
    user = world["street_handler"]
    user.groups.add(world["housing_group"])
    world["street_case"].assignee = user
    world["street_case"].save()
    cases = list(feedback_for_user(user))
    assert sorted(case.pk for case in cases) == sorted(
        [world["street_case"].pk, world["housing_case"].pk]
    )


def test_superuser_sees_everything(world):
    boss = UserFactory(username="boss", is_superuser=True)
    assert sees_all_feedback(boss)
    assert set(visible_categories(boss)) == {world["streets"], world["housing"]}
    assert feedback_for_user(boss).count() == Feedback.objects.count()
    assert can_view_feedback(boss, world["housing_case"])


def test_view_all_permission_through_a_group_sees_everything(world):
    chief = UserFactory(username="chief")
    chiefs = GroupFactory(name="Chiefs")
    chiefs.permissions.add(view_all())
    chief.groups.add(chiefs)
    chief = fresh(chief)
    assert sees_all_feedback(chief)
    assert set(feedback_for_user(chief)) == {world["street_case"], world["housing_case"]}
    assert can_view_feedback(chief, world["housing_case"])


def test_user_without_groups_sees_nothing(world):
    stranger = UserFactory(username="stranger")
    assert not visible_categories(stranger).exists()
    assert not feedback_for_user(stranger).exists()
    assert not can_view_feedback(stranger, world["street_case"])


@pytest.mark.parametrize("is_superuser", [False, True])
def test_inactive_user_sees_nothing(world, is_superuser):
    user = world["street_handler"]
    user.is_active = False
    user.is_superuser = is_superuser
    user.save()
    assert not sees_all_feedback(user)
    assert not visible_categories(user).exists()
    assert not feedback_for_user(user).exists()
    assert not can_view_feedback(user, world["street_case"])
    assert not user_can_access_feedback_admin(user)


def test_anonymous_user_sees_nothing(world):
    anonymous = AnonymousUser()
    assert not visible_categories(anonymous).exists()
    assert not feedback_for_user(anonymous).exists()
    assert not can_view_feedback(anonymous, world["street_case"])
    assert not user_can_access_feedback_admin(anonymous)


def test_can_view_feedback_agrees_with_feedback_for_user(world):
    user = world["street_handler"]
    world["housing"].responsible_person = UserFactory(username="someone")
    world["housing"].save()
    extra = [FeedbackFactory(category=world["housing"], assignee=user),
             FeedbackFactory(category=CategoryFactory(handler_group=None))]
    visible = set(feedback_for_user(user).values_list("pk", flat=True))
    for case in [world["street_case"], world["housing_case"], *extra]:
        assert can_view_feedback(user, case) is (case.pk in visible)


def test_unsaved_feedback_is_never_viewable(world):
    assert not can_view_feedback(world["street_handler"], Feedback(category=world["streets"]))


def test_admin_access_needs_the_wagtail_permission(world):
    assert user_can_access_feedback_admin(world["street_handler"])
    world["street_handler"].groups.get(name="Streets").permissions.remove(admin_access())
    assert not user_can_access_feedback_admin(fresh(world["street_handler"]))


def test_admin_access_needs_some_feedback_to_handle(world):
    editor = UserFactory(username="editor")
    editors = GroupFactory(name="Editors")
    editors.permissions.add(admin_access())
    editor.groups.add(editors)
    assert not user_can_access_feedback_admin(fresh(editor))

    world["housing"].responsible_person = editor
    world["housing"].save()
    assert user_can_access_feedback_admin(fresh(editor))


def test_admin_access_for_an_assignee_outside_every_handler_group(world):
    editor = UserFactory(username="editor")
    editor.user_permissions.add(admin_access())
    FeedbackFactory(category=world["housing"], assignee=editor)
    assert user_can_access_feedback_admin(fresh(editor))


def test_admin_access_for_view_all(world):
    chief = UserFactory(username="chief")
    chief.user_permissions.add(admin_access(), view_all())
    assert user_can_access_feedback_admin(fresh(chief))


def test_permission_policy_wraps_the_helpers(world):
    policy = FeedbackPermissionPolicy()
    user = world["street_handler"]
    assert policy.user_has_permission(user, "view")
    assert not policy.user_has_permission(user, "delete")
    assert policy.user_has_permission_for_instance(user, "view", world["street_case"])
    assert not policy.user_has_permission_for_instance(user, "view", world["housing_case"])
    assert list(policy.instances_user_has_permission_for(user, "view")) == [world["street_case"]]
    assert not policy.instances_user_has_permission_for(user, "delete").exists()


def test_handlers_of_a_category_are_its_group_its_responsible_person_and_administrators(world):
    streets = world["streets"]
    responsible = UserFactory(username="responsible")
    streets.responsible_person = responsible
    streets.save()
    chiefs = GroupFactory(name="Chiefs")
    chiefs.permissions.add(view_all())
    chief = UserFactory(username="chief")
    chief.groups.add(chiefs)
    direct = UserFactory(username="direct")
    direct.user_permissions.add(view_all())
    boss = UserFactory(username="boss", is_superuser=True)
    gone = UserFactory(username="gone", is_active=False)
    gone.groups.add(streets.handler_group)
    gone_boss = UserFactory(username="gone_boss", is_superuser=True, is_active=False)
    housing_handler = UserFactory(username="housing_handler")
    housing_handler.groups.add(world["housing_group"])

    streets_only = FeedbackCategory.objects.filter(pk=streets.pk)
    assert {user.username for user in handlers_of(streets_only)} == {
        "street_handler", "responsible", "chief", "direct", "boss"}
    both = FeedbackCategory.objects.filter(pk__in=[streets.pk, world["housing"].pk])
    assert "housing_handler" in {user.username for user in handlers_of(both)}
    for user in (world["street_handler"], responsible, chief, boss):
        assert may_handle(user, world["street_case"])
    for user in (gone, gone_boss, housing_handler, None):
        assert not may_handle(user, world["street_case"])
    assert {user.username for user in feedback_administrators()} == {"chief", "direct", "boss"}


def test_every_handler_may_see_the_cases_they_can_be_given(world):
    """Whoever can be assigned a case can open it: the two rules cannot drift apart."""
    chiefs = GroupFactory(name="Chiefs")
    chiefs.permissions.add(view_all())
    UserFactory(username="chief").groups.add(chiefs)
    UserFactory(username="boss", is_superuser=True)
    for case in (world["street_case"], world["housing_case"]):
        categories = FeedbackCategory.objects.filter(pk=case.category_id)
        for user in handlers_of(categories):
            assert can_view_feedback(fresh(user), case), user.username
