"""Admin viewsets: the cases (``palaute_feedback``) and the editor-owned snippets."""

import django_filters
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList, TabbedInterface
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.viewsets.base import ViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from ..models import FeedbackCategory, OtherAuthority, ResponseTemplate
from ..permissions import user_can_access_feedback_admin
from .case_views import FeedbackActionView, FeedbackCreateView
from .views import FeedbackDetailView, FeedbackIndexView, FeedbackPhotoView


class FeedbackMenuItem(MenuItem):
    def is_shown(self, request):
        return user_can_access_feedback_admin(request.user)


class FeedbackViewSet(ViewSet):
    """The staff's view of cases; URL names ``palaute_feedback:index|detail|photo``,
    ``action`` (POST one action: ``[pk, action_name]``) and ``create`` (staff entry).

    Swap a view by overriding its ``*_view_class`` attribute.
    """

    name = "palaute_feedback"
    url_prefix = "palaute"
    icon = "comment"
    add_to_admin_menu = True
    menu_label = _("Feedback")
    menu_name = "palaute"
    menu_order = 150
    index_view_class = FeedbackIndexView
    detail_view_class = FeedbackDetailView
    photo_view_class = FeedbackPhotoView
    action_view_class = FeedbackActionView
    create_view_class = FeedbackCreateView

    @cached_property
    def menu_item_class(self):
        return FeedbackMenuItem

    @cached_property
    def menu_url(self):
        return reverse(self.get_url_name("index"))

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            index_url_name=self.get_url_name("index"),
            index_results_url_name=self.get_url_name("index_results"),
            detail_url_name=self.get_url_name("detail"),
            photo_url_name=self.get_url_name("photo"),
            action_url_name=self.get_url_name("action"),
            add_url_name=self.get_url_name("create"),
            create_url_name=self.get_url_name("create"),
            header_icon=self.icon,
            **kwargs,
        )

    @property
    def index_view(self):
        return self.construct_view(self.index_view_class)

    @property
    def index_results_view(self):
        return self.construct_view(self.index_view_class, results_only=True)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.construct_view(self.detail_view_class), name="detail"),
            path(
                "<int:pk>/action/<slug:action_name>/",
                self.construct_view(self.action_view_class),
                name="action",
            ),
            path("new/", self.construct_view(self.create_view_class), name="create"),
            path(
                "photos/<int:pk>/<slug:size>/",
                self.construct_view(self.photo_view_class),
                name="photo",
            ),
        ]


def model_edit_handler(model):
    """The model's own panels; a lone ``TabbedInterface`` is used as the whole form."""
    if hasattr(model, "edit_handler"):
        return model.edit_handler
    panels = model.panels
    if len(panels) == 1 and isinstance(panels[0], TabbedInterface):
        return panels[0]
    return ObjectList(panels)


class ModelPanelsMixin:
    def get_edit_handler(self):
        return model_edit_handler(self.model).bind_to_model(self.model)


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


class FeedbackCategoryViewSet(ModelPanelsMixin, SnippetViewSet):
    model = FeedbackCategory
    icon = "tag"
    filterset_class = FeedbackCategoryFilterSet
    list_display = [
        "name_fi",
        "parent",
        "responsible_person",
        "handler_group",
        BooleanColumn("active", label=_("Active"), sort_key="active"),
        "sort_order",
    ]
    search_fields = ["name_fi", "name_sv", "name_en"]
    ordering = ["sort_order", "name_fi"]

    def get_queryset(self, request):
        return FeedbackCategory.objects.select_related(
            "parent__parent", "responsible_person", "handler_group"
        )


class OtherAuthorityViewSet(ModelPanelsMixin, SnippetViewSet):
    model = OtherAuthority
    icon = "site"
    list_display = ["name_fi", "website", "email", "phone"]
    search_fields = ["name_fi", "name_sv", "name_en", "handles_fi"]


class ResponseTemplateViewSet(ModelPanelsMixin, SnippetViewSet):
    """Ready answers editors manage; handlers pick them when replying."""

    model = ResponseTemplate
    icon = "doc-full"
    list_display = ["title", "category"]
    list_filter = ["category"]
    search_fields = ["title", "text_fi", "text_sv", "text_en"]
