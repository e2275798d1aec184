"""A group with categories under it is a heading, not a place to file a case (issue 8,
item 16): not offered to staff entry or change-category, refused by the actions and by
a forged public post."""

import pytest

from palaute_plugin import actions
from palaute_plugin.models import Feedback, FeedbackCategory
from palaute_plugin.staff.forms import staff_entry_categories
from tests.factories import CategoryFactory, FeedbackFactory, feedback_page
from tests.test_actions import run
from tests.test_public_form import form_data, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(streets):
    """``streets`` (the handler's category) becomes a group with one category under it."""
    CategoryFactory(name_fi="Katuvalot", parent=streets, handler_group=streets.handler_group,
                    responsible_person=streets.responsible_person)
    return streets


def test_a_group_is_not_offered_but_its_categories_are(group, handler):
    offered = set(staff_entry_categories(handler).values_list("name_fi", flat=True))
    assert "Katuvalot" in offered
    assert group.name_fi not in offered
    assert not FeedbackCategory.objects.get(pk=group.pk).accepts_feedback
    assert group not in FeedbackCategory.objects.accepting_feedback()


def test_a_group_whose_categories_are_all_inactive_takes_cases_again(group, handler):
    group.children.update(active=False)
    assert FeedbackCategory.objects.get(pk=group.pk).accepts_feedback
    assert group.name_fi in set(staff_entry_categories(handler).values_list("name_fi",
                                                                            flat=True))


def test_staff_entry_and_change_category_refuse_a_group(group, handler):
    feedback_page()
    with pytest.raises(actions.ActionError):
        actions.create_staff_feedback(actions.Submission(
            channel="phone", category=group, kind="question", message="Soitto aurauksesta.",
            language="fi"), user=handler)
    child = group.children.get()
    case = FeedbackFactory(category=child)
    with pytest.raises(actions.ActionError):
        run(actions.change_category, case, user=handler, category=group)
    case.refresh_from_db()
    assert case.category == child


def test_a_forged_public_post_of_a_group_is_refused(client, group):
    page = feedback_page()
    response = post(client, page, form_data(group))
    assert response.status_code == 400
    assert "Valitse aihe luettelosta." in response.content.decode()
    assert not Feedback.objects.exists()
