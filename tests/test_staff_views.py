"""The staff's case views in the Wagtail admin: index, detail, photos, snippets."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry

from palaute_plugin.models import Feedback, Notification
from palaute_plugin.staff.viewsets import feedback_viewset

from .admin_fixtures import add_photo, admin_user, assert_sent_to_login, detail_url, in_english
from .factories import (
    CategoryFactory,
    FeedbackFactory,
    GroupFactory,
    OtherAuthorityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INDEX_URL = feedback_viewset.get_url_name("index")


def photo_url(photo, size="full"):
    return reverse(feedback_viewset.get_url_name("photo"), args=[photo.pk, size])


# --- who gets in --------------------------------------------------------------------


def test_urls_have_the_contract_names(street_case):
    photo = add_photo(street_case)
    assert reverse(INDEX_URL) == "/admin/palaute/"
    assert detail_url(street_case) == f"/admin/palaute/{street_case.pk}/"
    assert photo_url(photo, "thumb") == f"/admin/palaute/photos/{photo.pk}/thumb/"


def test_anonymous_user_is_sent_to_the_admin_login(client, street_case):
    photo = add_photo(street_case)
    for url in (reverse(INDEX_URL), detail_url(street_case), photo_url(photo)):
        assert_sent_to_login(client.get(url))


def test_user_without_admin_access_is_sent_to_the_login(client, street_case):
    group = GroupFactory(name="No admin")
    street_case.category.handler_group = group
    street_case.category.save()
    user = UserFactory(username="outsider")
    user.groups.add(group)
    client.force_login(user)
    photo = add_photo(street_case)
    for url in (reverse(INDEX_URL), detail_url(street_case), photo_url(photo)):
        assert_sent_to_login(client.get(url))


def test_admin_user_with_no_feedback_to_handle_is_turned_away(client, street_case):
    editor = admin_user(username="editor")
    client.force_login(editor)

    response = client.get(reverse(INDEX_URL))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert client.get(detail_url(street_case)).status_code == 302

    home = client.get(reverse("wagtailadmin_home"))
    assert reverse(INDEX_URL) not in home.content.decode()


def test_menu_item_is_shown_to_a_handler(handler_client):
    home = handler_client.get(reverse("wagtailadmin_home"))
    assert home.status_code == 200
    assert reverse(INDEX_URL) in home.content.decode()


# --- index --------------------------------------------------------------------------


def test_index_lists_only_the_handlers_categories(handler_client, street_case, housing_case):
    response = handler_client.get(reverse(INDEX_URL))
    assert response.status_code == 200
    content = response.content.decode()
    assert street_case.reference in content
    assert detail_url(street_case) in content
    assert housing_case.reference not in content
    assert "Asunnon ovi" not in content


def test_index_shows_the_case_columns(handler_client, handler, streets):
    case = FeedbackFactory(
        category=streets, kind=Feedback.Kind.PROPOSAL, assignee=handler,
        message="Pitkä viesti " * 20 + "LOPPU",
    )
    add_photo(case)
    add_photo(case, sort_order=1)
    response = handler_client.get(reverse(INDEX_URL))
    content = response.content.decode()
    assert "Proposal for action" in content
    assert "Street lighting" in content
    assert "Pitkä viesti" in content
    assert "LOPPU" not in content  # truncated
    assert "new" in content
    assert "Sanna Katu" in content
    row = response.context["object_list"][0]
    assert row.photo_count == 2


def test_index_is_newest_first(handler_client, streets):
    now = timezone.now()
    old = FeedbackFactory(category=streets, created_at=now - timedelta(days=3))
    newest = FeedbackFactory(category=streets, created_at=now)
    middle = FeedbackFactory(category=streets, created_at=now - timedelta(days=1))
    response = handler_client.get(reverse(INDEX_URL))
    assert list(response.context["object_list"]) == [newest, middle, old]


def test_superuser_index_lists_every_case(client, street_case, housing_case):
    client.force_login(in_english(UserFactory(username="boss", is_superuser=True)))
    content = client.get(reverse(INDEX_URL)).content.decode()
    assert street_case.reference in content
    assert housing_case.reference in content


def test_index_query_count_does_not_grow_with_cases(handler_client, handler, streets):
    def index_queries():
        with CaptureQueriesContext(connection) as queries:
            response = handler_client.get(reverse(INDEX_URL))
        assert response.status_code == 200
        return len(queries), len(response.context["object_list"])

    def add_cases(count):
        for number in range(count):
            case = FeedbackFactory(category=streets, assignee=handler if number % 2 else None)
            add_photo(case)

    add_cases(3)
    few, listed = index_queries()
    assert listed == 3
    add_cases(27)
    many, listed = index_queries()
    assert listed == 30
    assert many == few


def test_index_filters_by_status_and_kind(handler_client, streets):
    resolved = FeedbackFactory(category=streets, status=Feedback.Status.RESOLVED)
    question = FeedbackFactory(category=streets, kind=Feedback.Kind.QUESTION)
    response = handler_client.get(reverse(INDEX_URL), {"status": "resolved"})
    assert list(response.context["object_list"]) == [resolved]
    response = handler_client.get(reverse(INDEX_URL), {"kind": "question"})
    assert list(response.context["object_list"]) == [question]


def test_category_filter_offers_and_accepts_only_visible_categories(
    handler_client, streets, street_case, housing_case
):
    response = handler_client.get(reverse(INDEX_URL), {"category": streets.pk})
    assert list(response.context["object_list"]) == [street_case]
    choices = response.context["filters"].form.fields["category"].queryset
    assert list(choices) == [streets]

    response = handler_client.get(reverse(INDEX_URL), {"category": housing_case.category.pk})
    assert housing_case not in response.context["object_list"]


def test_index_search_by_reference(handler_client, streets):
    wanted, other = FeedbackFactory(category=streets), FeedbackFactory(category=streets)
    response = handler_client.get(reverse(INDEX_URL), {"q": wanted.reference})
    assert list(response.context["object_list"]) == [wanted]
    assert other.reference not in response.content.decode()


def test_index_results_view_for_filtering(handler_client, street_case, housing_case):
    response = handler_client.get(reverse(feedback_viewset.get_url_name("index_results")))
    assert response.status_code == 200
    assert street_case.reference in response.content.decode()
    assert housing_case.reference not in response.content.decode()


def test_index_without_cases_says_so(handler_client):
    response = handler_client.get(reverse(INDEX_URL))
    assert response.status_code == 200
    assert "There is no feedback for you to see." in response.content.decode()


# --- detail -------------------------------------------------------------------------


def test_detail_shows_the_case(handler_client, handler, streets):
    case = FeedbackFactory(
        category=streets, kind=Feedback.Kind.QUESTION, channel=Feedback.Channel.PHONE,
        language="sv", assignee=handler, address="Hallituskatu 5, Tornio",
        contact_name="Maija Asukas", contact_email="maija@example.com",
        contact_phone="040 123 4567",
    )
    response = handler_client.get(detail_url(case))
    assert response.status_code == 200
    content = response.content.decode()
    for text in (case.reference, "Question", "Street lighting", "Phone", "Swedish",
                 "Sanna Katu", "Hallituskatu 5, Tornio", "Maija Asukas",
                 "mailto:maija@example.com", "040 123 4567", "Katuvalo on rikki"):
        assert text in content, text
    assert reverse(INDEX_URL) in content  # breadcrumbs back to the index


def test_detail_escapes_the_message_and_contact(handler_client, streets):
    case = FeedbackFactory(
        category=streets, message='<script>alert("x")</script>\nToinen rivi',
        contact_name="<b>Bold</b>",
    )
    content = handler_client.get(detail_url(case)).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>Toinen rivi" in content
    assert '<script>alert("x")' not in content
    assert "&lt;b&gt;Bold&lt;/b&gt;" in content


def test_detail_map_uses_our_own_leaflet(handler_client, streets):
    case = FeedbackFactory(category=streets, latitude=65.8481, longitude=24.1466)
    content = handler_client.get(detail_url(case)).content.decode()
    assert 'data-controller="leaflet-field"' in content
    assert "/static/leaflet/leaflet.js" in content
    assert "/static/leaflet/leaflet.css" in content
    assert "unpkg" not in content
    assert "65.8481" in content
    assert "palaute-map--readonly" in content


def test_detail_without_location_has_no_map(handler_client, street_case):
    content = handler_client.get(detail_url(street_case)).content.decode()
    assert "leaflet-field" not in content
    assert "No location was given." in content


def test_detail_photos_link_through_the_photo_view(handler_client, street_case):
    photos = [add_photo(street_case, n) for n in range(2)]
    content = handler_client.get(detail_url(street_case)).content.decode()
    for photo in photos:
        assert f'href="{photo_url(photo, "full")}"' in content
        assert f'src="{photo_url(photo, "thumb")}"' in content
    assert "Photo 2 of 2" in content
    assert photos[0].image.name not in content  # storage paths stay private


def test_detail_timeline_lists_log_entries_and_emails(handler_client, street_case):
    log(instance=street_case, action="palaute_plugin.received", user=None,
        data={"channel": "web"})
    Notification.objects.create(
        feedback=street_case, template="receipt", to_resident=True,
        recipient="asukas@example.com", subject="Kiitos palautteestasi",
        body_text="Kiitos", state=Notification.State.SENT, sent_at=timezone.now(),
    )
    Notification.objects.create(
        feedback=street_case, template="new_feedback", recipient="katu@tornio.example",
        subject="Uusi palaute", body_text="Uusi", state=Notification.State.FAILED, attempts=3,
    )
    Notification.objects.create(
        feedback=street_case, template="new_feedback", recipient="toinen@tornio.example",
        subject="Odottaa", body_text="Uusi",
    )
    content = handler_client.get(detail_url(street_case)).content.decode()
    assert "Feedback received" in content
    assert "Email to the resident: Kiitos palautteestasi" in content
    assert "Email to katu@tornio.example: Uusi palaute" in content
    assert "palaute-timeline__state--sent" in content
    assert "palaute-timeline__state--failed" in content
    assert "palaute-timeline__state--pending" in content
    assert "3 attempts" in content


def side_panel(content, name):
    """The HTML of one of the case screen's side panels."""
    start = content.index(f'data-side-panel="{name}"')
    end = content.index("</aside>", start)
    following = content.find('class="form-side__panel"', start, end)
    return content[start:following if following != -1 else end]


def test_detail_has_status_and_history_side_panels(handler_client, handler, streets):
    earlier = FeedbackFactory(category=streets)
    case = FeedbackFactory(category=streets, status=Feedback.Status.ALREADY_KNOWN,
                           duplicate_of=earlier, assignee=handler)
    log(instance=case, action="palaute_plugin.received", user=None, data={"channel": "web"})
    response = handler_client.get(detail_url(case))
    content = response.content.decode()
    assert [panel.name for panel in response.context["side_panels"]] == ["status", "history"]
    for name in ("status", "history"):
        assert f'data-side-panel-toggle="{name}"' in content  # in the header
    status = side_panel(content, "status")
    assert "already known" in status
    assert "Sanna Katu" in status
    assert f'href="{detail_url(earlier)}"' in status
    history = side_panel(content, "history")
    assert "Feedback received" in history
    assert "Sanna Katu" not in history


def test_detail_status_panel_marks_an_overdue_case(handler_client, streets):
    case = FeedbackFactory(category=streets, due_at=timezone.now() - timedelta(days=1))
    status = side_panel(handler_client.get(detail_url(case)).content.decode(), "status")
    assert "Overdue" in status


def test_detail_of_another_categorys_case_is_404(handler_client, housing_case):
    assert handler_client.get(detail_url(housing_case)).status_code == 404


def test_detail_of_a_missing_case_is_404(handler_client):
    assert handler_client.get(reverse(feedback_viewset.get_url_name("inspect"), args=[999999])).status_code == 404


def test_assignee_sees_the_case_assigned_to_them(handler_client, handler, housing_case):
    housing_case.assignee = handler
    housing_case.save()
    assert handler_client.get(detail_url(housing_case)).status_code == 200


# --- photos -------------------------------------------------------------------------


def test_photo_is_served_with_private_headers(handler_client, street_case):
    photo = add_photo(street_case)
    response = handler_client.get(photo_url(photo, "full"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    photo.image.open("rb")
    with photo.image as stored:
        assert b"".join(response.streaming_content) == stored.read()


def test_thumbnail_is_the_thumbnail(handler_client, street_case):
    photo = add_photo(street_case)
    response = handler_client.get(photo_url(photo, "thumb"))
    assert response.status_code == 200
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.size == (20, 15)


def test_photo_of_another_categorys_case_is_404(handler_client, housing_case):
    photo = add_photo(housing_case)
    assert handler_client.get(photo_url(photo, "full")).status_code == 404
    assert handler_client.get(photo_url(photo, "thumb")).status_code == 404


def test_photo_with_unknown_size_or_missing_file_is_404(handler_client, street_case):
    photo = add_photo(street_case)
    assert handler_client.get(photo_url(photo, "huge")).status_code == 404
    photo.image.storage.delete(photo.image.name)
    assert handler_client.get(photo_url(photo, "full")).status_code == 404
    assert handler_client.get(reverse(feedback_viewset.get_url_name("photo"), args=[999999, "full"])
                              ).status_code == 404


# --- snippets and log actions ---------------------------------------------------------


@pytest.fixture
def superuser_client(client):
    client.force_login(in_english(UserFactory(username="boss", is_superuser=True)))
    return client


def test_category_snippet_listing_and_edit_form(superuser_client, streets):
    child = CategoryFactory(parent=streets, name_fi="Katuvalot", name_en="Lights")
    listing = superuser_client.get(reverse("wagtailsnippets_palaute_plugin_feedbackcategory:list"))
    assert listing.status_code == 200
    assert "Katuvalot" in listing.content.decode()
    edit = superuser_client.get(
        reverse("wagtailsnippets_palaute_plugin_feedbackcategory:edit", args=[child.pk])
    )
    assert edit.status_code == 200
    content = edit.content.decode()
    assert 'name="handler_group"' in content
    assert 'role="tab"' in content  # the model's tabs are used as the whole form


def test_category_snippet_listing_query_count_does_not_grow(superuser_client, streets):
    url = reverse("wagtailsnippets_palaute_plugin_feedbackcategory:list")

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert superuser_client.get(url).status_code == 200
        return len(queries)

    person = UserFactory(username="responsible")
    CategoryFactory(parent=streets, responsible_person=person)
    few = count_queries()
    for _ in range(10):
        CategoryFactory(parent=streets, responsible_person=person)
    assert count_queries() == few


def test_other_authority_snippet_listing(superuser_client):
    OtherAuthorityFactory()
    listing = superuser_client.get(reverse("wagtailsnippets_palaute_plugin_otherauthority:list"))
    assert listing.status_code == 200
    assert "Lapin ELY-keskus" in listing.content.decode()


def test_handler_without_snippet_permissions_cannot_edit_categories(handler_client, streets):
    url = reverse("wagtailsnippets_palaute_plugin_feedbackcategory:edit", args=[streets.pk])
    assert handler_client.get(url).status_code == 302


def test_received_log_action_is_registered():
    assert log_registry.action_exists("palaute_plugin.received")
    with translation.override("en"):
        label = str(log_registry.get_action_label("palaute_plugin.received"))
    assert label == "Feedback received"


def test_editor_manages_response_templates(client, django_user_model):
    from palaute_plugin.models import ResponseTemplate

    admin = django_user_model.objects.create_superuser("toimittaja", "t@tornio.example", "pw")
    client.force_login(admin)
    url = reverse("wagtailsnippets_palaute_plugin_responsetemplate:add")
    response = client.post(url, {"title": "Kiitos", "category": "",
                                 "text_fi": "Kiitos, {reference} on käsittelyssä.",
                                 "text_sv": "", "text_en": ""})
    assert response.status_code == 302
    assert ResponseTemplate.objects.get().title == "Kiitos"
    listing = client.get(reverse("wagtailsnippets_palaute_plugin_responsetemplate:list"))
    assert "Kiitos" in listing.content.decode()


# --- the viewset ----------------------------------------------------------------------


def test_feedback_permission_policy_is_the_registered_one():
    from wagtail.permissions import policy_registry

    from palaute_plugin.permissions import FeedbackPermissionPolicy

    assert isinstance(policy_registry.get_by_type(Feedback), FeedbackPermissionPolicy)


def test_groups_screen_offers_only_the_see_everything_permission():
    permissions = feedback_viewset.get_permissions_to_register()
    assert [permission.codename for permission in permissions] == ["view_all_feedback"]


def test_viewset_has_no_generic_edit_or_delete_views(street_case):
    from django.urls import NoReverseMatch

    for name in ("edit", "delete", "history", "copy", "usage"):
        with pytest.raises(NoReverseMatch):
            reverse(feedback_viewset.get_url_name(name), args=[street_case.pk])


def test_snippet_choosers_speak_each_viewers_language(client, django_user_model, streets):
    """Wagtail formats a chooser's button text once, with the form class: the first
    viewer's language stayed for everyone (Finnish "Valitse" in the Swedish admin)."""
    from wagtail.users.models import UserProfile

    from palaute_plugin.models import ResponseTemplate

    template = ResponseTemplate.objects.create(title="Kiitos", category=streets,
                                               text_fi="Kiitos.")
    seen = {}
    for language in ("fi", "sv", "fi"):
        user = django_user_model.objects.create_superuser(
            f"toimittaja-{language}-{len(seen)}", "t@tornio.example", "pw")
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = language
        profile.save()
        client.force_login(user)
        for url in (reverse("wagtailsnippets_palaute_plugin_responsetemplate:edit",
                            args=[template.pk]),
                    reverse("wagtailsnippets_palaute_plugin_feedbackcategory:edit",
                            args=[streets.pk])):
            seen[language, url] = client.get(url).content.decode()
    template_url = reverse("wagtailsnippets_palaute_plugin_responsetemplate:edit",
                           args=[template.pk])
    category_url = reverse("wagtailsnippets_palaute_plugin_feedbackcategory:edit",
                           args=[streets.pk])
    with translation.override("sv"):
        topic, authority = (str(model._meta.verbose_name) for model in (
            ResponseTemplate._meta.get_field("category").related_model,
            type(streets)._meta.get_field("other_authority").related_model))
    assert f"Välj annan {topic}" in seen["sv", template_url]  # a category is chosen
    assert f"Välj {authority}" in seen["sv", category_url]
    assert "Valitse" not in seen["sv", template_url] + seen["sv", category_url]
    assert "Valitse toinen" in seen["fi", template_url]
