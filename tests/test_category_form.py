"""The category snippet's responsible person (issue 8, item 16): only the category's staff,
by full name; someone outside the chosen handler group is refused with a clear error."""

import pytest
from django.contrib.auth.models import Group
from django.utils import translation
from wagtail.admin.utils import get_user_display_name

from palaute_plugin.staff.viewsets import FeedbackCategoryViewSet
from tests.admin_fixtures import handler_of
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def category_form(category, user, data=None):
    form_class = FeedbackCategoryViewSet().get_edit_handler().get_form_class()
    return form_class(data, instance=category, for_user=user)


def form_data(form, **changes):
    """What the edit form would post unchanged, with ``changes``."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "pk"):
            value = value.pk
        if value is not None and value is not False:
            data[name] = value
    data.update(changes)
    return data


def test_only_the_categorys_staff_are_offered_by_full_name(streets, handler):
    stranger = UserFactory(username="ulkopuolinen", first_name="Ulla", last_name="Ulko")
    superuser = UserFactory(username="root", is_superuser=True)
    form = category_form(streets, superuser)
    choices = [label for value, label in form.fields["responsible_person"].choices if value]
    assert get_user_display_name(handler) == "Sanna Katu"
    assert "Sanna Katu" in choices
    assert get_user_display_name(stranger) not in choices
    assert "ulkopuolinen" not in choices
    assert "street_handler" not in choices


def test_the_edit_screen_shows_the_form(client, streets, handler):
    superuser = UserFactory(username="root", is_superuser=True)
    client.force_login(superuser)
    response = client.get(f"/admin/snippets/palaute_plugin/feedbackcategory/edit/{streets.pk}/")
    assert response.status_code == 200
    assert ">Sanna Katu</option>" in response.content.decode()


def test_a_person_outside_the_handler_group_is_refused(streets, handler, housing):
    superuser = UserFactory(username="root", is_superuser=True)
    outsider = handler_of(housing, username="asuja", first_name="Aino", last_name="Asuja")
    form = category_form(streets, superuser)
    data = form_data(form, responsible_person=handler.pk)
    assert category_form(streets, superuser, data).is_valid()
    other_group = Group.objects.get(pk=housing.handler_group_id)
    refused = category_form(streets, superuser,
                            {**data, "handler_group": other_group.pk,
                             "responsible_person": handler.pk})
    assert not refused.is_valid()
    assert refused.errors["responsible_person"] == [
        f"Choose a member of the handler group {other_group.name} as the responsible "
        "person, or add them to the group first."]
    assert outsider.pk not in [value for value, _label in
                               form.fields["responsible_person"].choices if value]


NOBODY_TOLD = ("Nobody would be told of this topic's feedback. Choose a responsible person or "
               "a handler group with members who have an email address, add a notification "
               "address, or save the topic as not active.")


def test_an_active_topic_that_would_tell_nobody_is_refused(streets, handler):
    """Feedback of such a topic sat "new" with nobody told (acceptance test, 2026-12-03)."""
    superuser = UserFactory(username="root", is_superuser=True)
    handlers = streets.handler_group_id  # (a bound form writes its values on the instance)
    empty_group = Group.objects.create(name="Nobody here")
    data = form_data(category_form(streets, superuser), responsible_person="",
                     handler_group=empty_group.pk, notification_emails="")
    refused = category_form(streets, superuser, data)
    assert not refused.is_valid()
    assert refused.errors["responsible_person"] == [NOBODY_TOLD]
    # Any one way of telling someone will do; so will saving the topic as not active.
    assert category_form(streets, superuser,
                         {**data, "notification_emails": "katu@tornio.example"}).is_valid()
    assert category_form(streets, superuser,
                         {**data, "handler_group": handlers}).is_valid()
    assert category_form(streets, superuser,
                         {key: value for key, value in data.items() if key != "active"}
                         ).is_valid()


def test_a_group_member_without_an_address_tells_nobody(streets, handler):
    superuser = UserFactory(username="root", is_superuser=True)
    handler.email = ""
    handler.save()
    data = form_data(category_form(streets, superuser), responsible_person="",
                     notification_emails="")
    assert category_form(streets, superuser, data).errors["responsible_person"] == [NOBODY_TOLD]


def test_a_group_heading_with_active_topics_needs_no_one(streets, handler):


    superuser = UserFactory(username="root", is_superuser=True)
    heading = CategoryFactory(handler_group=None, responsible_person=None)
    CategoryFactory(parent=heading, handler_group=streets.handler_group)
    data = form_data(category_form(heading, superuser), notification_emails="")
    assert category_form(heading, superuser, data).is_valid()


def test_a_sub_topic_that_would_tell_nobody_is_told_its_group_does_not_count(streets,
                                                                             handler):
    """An editor expected a group's notification address to cover its topics (staff
    acceptance test, 2026-12-03)."""
    superuser = UserFactory(username="root", is_superuser=True)
    group = CategoryFactory(name_fi="Liikenne", notification_emails="liikenne@tornio.example")
    empty_group = Group.objects.create(name="Nobody here")
    data = form_data(category_form(streets, superuser), responsible_person="",
                     handler_group=empty_group.pk, notification_emails="", parent=group.pk)
    errors = category_form(streets, superuser, data).errors["responsible_person"]
    assert errors == [NOBODY_TOLD, "A group's people and addresses are not told of its "
                                   "topics' feedback: each topic names its own."]
