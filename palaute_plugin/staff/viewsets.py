"""Admin viewsets: the cases (``feedback_viewset``) and the editor-owned snippets."""

import django_filters
from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from ..models import Feedback, FeedbackCategory, OtherAuthority, ResponseTemplate
from ..permissions import VIEW_ALL_PERMISSION
from .case_views import FeedbackActionView, FeedbackCreateView
from .category_form import FeedbackCategoryForm
from .choosers import FeedbackCategoryChooserViewSet, LanguageAwareChooserViewSet
from .columns import YesNoColumn
from .views import FeedbackIndexView, FeedbackInspectView, FeedbackPhotoView


class FeedbackViewSet(ModelViewSet):
    """The staff's cases: the inbox (``index``), the case screen (``inspect``), staff
    entry (``add``), one case action (``action``: ``[pk, action_name]``) and a case's
    photos (``photo``: ``[pk, size]``).

    Ask the viewset for URL names (``feedback_viewset.get_url_name("inspect")``); swap a
    view by overriding its ``*_view_class`` attribute. Who sees what is decided by the
    permission policy registered for ``Feedback`` (``permissions.FeedbackPermissionPolicy``).
    """

    model = Feedback
    name = "palaute_feedback"
    url_prefix = "palaute"
    icon = "comment"
    add_to_admin_menu = True
    menu_label = _("Feedback")
    menu_name = "palaute"
    menu_order = 150
    index_view_class = FeedbackIndexView
    inspect_view_class = FeedbackInspectView
    inspect_view_enabled = True
    add_view_class = FeedbackCreateView
    action_view_class = FeedbackActionView
    photo_view_class = FeedbackPhotoView
    copy_view_enabled = False
    add_to_reference_index = False

    @cached_property
    def menu_url(self):
        return reverse(self.get_url_name("index"))

    def get_common_view_kwargs(self, **kwargs):
        # Cases change through actions only: no generic edit, delete or history views.
        return super().get_common_view_kwargs(**{
            "edit_url_name": None, "delete_url_name": None, "history_url_name": None,
            "usage_url_name": None, "inspect_url_name": self.get_url_name("inspect"),
            **kwargs,
        })

    def get_index_view_kwargs(self, **kwargs):
        # The index view keeps its own template, search fields and page size.
        return kwargs

    def get_add_view_kwargs(self, **kwargs):
        return kwargs

    def get_inspect_view_kwargs(self, **kwargs):
        return {"action_url_name": self.get_url_name("action"),
                "photo_url_name": self.get_url_name("photo"), **kwargs}

    def get_action_view_kwargs(self, **kwargs):
        return self.get_inspect_view_kwargs(**kwargs)

    @property
    def action_view(self):
        return self.construct_view(self.action_view_class, **self.get_action_view_kwargs())

    @property
    def photo_view(self):
        return self.construct_view(self.photo_view_class)

    @property
    def url_finder_class(self):
        # Wagtail's "admin URL of this object" (staff emails use it) is the case screen.
        return type("FeedbackAdminURLFinder", (ModelAdminURLFinder,),
                    {"edit_url_name": self.get_url_name("inspect")})

    def get_permissions_to_register(self):
        """Only "see every category" means something in the groups screen; the
        permission policy decides the rest."""
        app_label, codename = VIEW_ALL_PERMISSION.split(".")
        return Permission.objects.filter(content_type__app_label=app_label,
                                         codename=codename)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", self.add_view, name="add"),
            # The case's address in emails already sent: keep it when changing views.
            path("<int:pk>/", self.inspect_view, name="inspect"),
            path("<int:pk>/action/<slug:action_name>/", self.action_view, name="action"),
            path("photos/<int:pk>/<slug:size>/", self.photo_view, name="photo"),
        ]


#: The one instance registered with Wagtail; ask it for URL names.
feedback_viewset = FeedbackViewSet()


def top_level_categories(request):
    return FeedbackCategory.objects.filter(parent__isnull=True)


class FeedbackCategoryFilterSet(WagtailFilterSet):
    # Groups are top-level categories; listing only those keeps the choices short
    # and their labels free of a query each.
    parent = django_filters.ModelChoiceFilter(
        label=_("Group"), queryset=top_level_categories
    )

    class Meta:
        model = FeedbackCategory
        fields = ["parent", "active"]


class FeedbackCategoryViewSet(SnippetViewSet):
    model = FeedbackCategory
    icon = "tag"
    filterset_class = FeedbackCategoryFilterSet
    chooser_viewset_class = FeedbackCategoryChooserViewSet
    list_display = [
        "name_fi",
        "parent",
        "responsible_person",
        "handler_group",
        YesNoColumn("active", label=_("Active"), sort_key="active"),
        "sort_order",
    ]
    search_fields = ["name_fi", "name_sv", "name_en"]
    ordering = ["sort_order", "name_fi"]

    @cached_property
    def edit_handler(self):
        # The model's panels with a form that narrows the responsible person's choices.
        handler = FeedbackCategory.edit_handler
        return type(handler)(**{**handler.clone_kwargs(),
                                "base_form_class": FeedbackCategoryForm})

    def get_queryset(self, request):
        return FeedbackCategory.objects.select_related(
            "parent__parent", "responsible_person", "handler_group"
        )


class OtherAuthorityViewSet(SnippetViewSet):
    model = OtherAuthority
    icon = "site"
    chooser_viewset_class = LanguageAwareChooserViewSet
    list_display = ["name_fi", "website", "email", "phone"]
    search_fields = ["name_fi", "name_sv", "name_en", "handles_fi"]


class ResponseTemplateViewSet(SnippetViewSet):
    """Ready answers editors manage; handlers pick them when replying."""

    model = ResponseTemplate
    icon = "doc-full"
    # The title in the editor's admin language (``ResponseTemplate.translated_title``).
    list_display = [TitleColumn("translated_title", label=_("Title"),
                                url_name="wagtailsnippets_palaute_plugin_responsetemplate:edit",
                                sort_key="title"),
                    "category"]
    list_filter = ["category"]
    search_fields = ["title", "title_sv", "title_en", "text_fi", "text_sv", "text_en"]
