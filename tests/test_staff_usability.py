"""Where new staff tripped (issue 8, item 16): the work-list date, "Take" on a case that
is already theirs, the dashboard's "new" and "mine", the category group chooser's
search and the response templates' titles in the admin user's language."""

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from palaute_plugin import actions
from palaute_plugin.models import Feedback, ResponseTemplate

from .admin_fixtures import detail_url, in_english
from .factories import CategoryFactory, FeedbackFactory
from .test_case_views import action_url, fresh, header_of, labels

pytestmark = pytest.mark.django_db

Status = Feedback.Status


def dashboard_sections(client):
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return {section.key: section for section in response.context["sections"]}


def test_work_list_date_is_wagtails_date_picker(handler_client, street_case):
    response = handler_client.get(action_url(street_case, "work_list"))
    content = response.content.decode()
    assert 'initDateChooser("id_work_list_expected_date"' in content
    assert 'type="date"' not in content


@pytest.fixture
def auto_assigned(streets, handler):
    """A new case of a category whose responsible person is the handler: theirs at once."""
    streets.responsible_person = handler
    streets.save()
    case = actions.submit_feedback(actions.Submission(category=streets, message="Valo rikki."))
    assert case.status == Status.NEW and case.assignee == handler
    return case


def test_responsible_person_starts_handling_instead_of_taking(handler_client, auto_assigned):
    response = handler_client.get(detail_url(auto_assigned))
    shown = labels(response.context["header_buttons"])
    assert shown[0] == "Start handling"
    assert "Take this case" not in shown
    assert 'form="palaute-action-take"' in header_of(response.content.decode())

    response = handler_client.post(action_url(auto_assigned, "take"),
                                   {"expected_version": auto_assigned.version}, follow=True)
    assert (f"You started handling feedback {auto_assigned.reference}."
            in response.content.decode())
    assert fresh(auto_assigned).status == Status.IN_PROGRESS
    assert "Start handling" not in labels(response.context["header_buttons"])


def test_a_colleagues_case_is_taken_over_from_more_actions(client, colleague, auto_assigned):
    client.force_login(colleague)
    response = client.get(detail_url(auto_assigned))
    buttons = response.context["header_buttons"]
    assert labels(buttons) == ["Reply to the resident", "Resolve", "More actions"]
    assert "Take over" in labels(buttons[-1].dropdown_buttons)

    response = client.get(action_url(auto_assigned, "take"))
    assert "Take over this case" in response.content.decode()
    response = client.post(action_url(auto_assigned, "take"),
                           {"expected_version": auto_assigned.version}, follow=True)
    assert f"You took over feedback {auto_assigned.reference}." in response.content.decode()
    assert fresh(auto_assigned).assignee == colleague


def test_nobodys_case_is_still_taken(handler_client, street_case):
    response = handler_client.get(detail_url(street_case))
    assert labels(response.context["header_buttons"])[0] == "Take this case"


def test_dashboard_new_and_mine_do_not_list_the_same_cases(handler_client, handler,
                                                          auto_assigned, streets):
    started = FeedbackFactory(category=streets, assignee=handler, status=Status.WORK_LIST)
    sections = dashboard_sections(handler_client)
    assert [case.pk for case in sections["new"].cases] == [auto_assigned.pk]
    assert [case.pk for case in sections["mine"].cases] == [started.pk]
    with translation.override("en"):
        assert str(sections["mine"].heading) == "Mine, handling started"
    inbox = handler_client.get(sections["mine"].url)
    assert [case.pk for case in inbox.context["object_list"]] == [started.pk]

    handler_client.post(action_url(auto_assigned, "take"),
                        {"expected_version": auto_assigned.version})
    sections = dashboard_sections(handler_client)
    assert sections["new"].count == 0
    assert sections["mine"].count == 2


# --- response templates' titles --------------------------------------------------------


@pytest.fixture
def templates():
    return [
        ResponseTemplate.objects.create(title="Kiitos", title_sv="Tack", title_en="Thanks",
                                        text_fi="Kiitos.", text_sv="Tack."),
        ResponseTemplate.objects.create(title="Ajantasaiset tiedot", text_fi="Tiedot."),
    ]


def test_staff_choose_templates_by_their_title_in_the_admin_language(
        handler_client, handler, street_case, templates):
    content = handler_client.get(action_url(street_case, "reply")).content.decode()
    assert ">Thanks</option>" in content  # the handler's admin language is English
    assert ">Ajantasaiset tiedot</option>" in content  # no English title: the Finnish one
    assert ">Kiitos</option>" not in content
    profile = UserProfile.get_for_user(handler)
    profile.preferred_language = "sv"
    profile.save()
    content = handler_client.get(action_url(street_case, "resolve")).content.decode()
    assert ">Tack</option>" in content
    # Ordered as shown: "Ajantasaiset tiedot" before "Tack".
    assert content.index(">Ajantasaiset tiedot<") < content.index(">Tack<")


def test_editor_gives_a_template_its_title_in_three_languages(client, django_user_model):
    editor = django_user_model.objects.create_superuser("toimittaja", "t@tornio.example", "pw")
    client.force_login(in_english(editor))
    response = client.post(reverse("wagtailsnippets_palaute_plugin_responsetemplate:add"), {
        "title": "Korjattu", "title_sv": "Åtgärdat", "title_en": "Fixed", "category": "",
        "text_fi": "Korjattu.", "text_sv": "", "text_en": ""})
    assert response.status_code == 302
    template = ResponseTemplate.objects.get()
    assert (template.title, template.title_sv, template.title_en) == (
        "Korjattu", "Åtgärdat", "Fixed")
    listing = client.get(reverse("wagtailsnippets_palaute_plugin_responsetemplate:list"))
    content = listing.content.decode()
    edit_url = reverse("wagtailsnippets_palaute_plugin_responsetemplate:edit",
                       args=[template.pk])
    assert f'href="{edit_url}"' in content
    assert "Fixed" in content and "Korjattu" not in content
    found = client.get(reverse("wagtailsnippets_palaute_plugin_responsetemplate:list"),
                       {"q": "Åtgärdat"})
    assert list(found.context["object_list"]) == [template]


# --- the category chooser's search --------------------------------------------------------

CHOOSER = "wagtailsnippetchoosers_palaute_plugin_feedbackcategory"


def test_category_chooser_searches_names_in_every_language(client, django_user_model):
    traffic = CategoryFactory(name_fi="Liikenne", name_sv="Trafik", name_en="Traffic")
    lights = CategoryFactory(name_fi="Katuvalot", name_sv="Gatubelysning", parent=traffic)
    housing = CategoryFactory(name_fi="Asuminen", name_sv="Boende")
    editor = django_user_model.objects.create_superuser("toimittaja", "t@tornio.example", "pw")
    client.force_login(in_english(editor))

    content = client.get(reverse(f"{CHOOSER}:choose")).json()["html"]
    assert 'name="q"' in content and 'id="id_q"' in content

    def found(query):
        response = client.get(reverse(f"{CHOOSER}:choose_results"), {"q": query})
        assert response.status_code == 200
        return {obj.pk for obj in response.context["results"]}

    assert found("trafik") == {traffic.pk, lights.pk}  # a group brings its categories
    assert found("belysning") == {lights.pk}
    assert found("BOENDE") == {housing.pk}
    assert found("nothing like it") == set()
