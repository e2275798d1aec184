"""The category chooser (a category's group, a response template's category): its
modal searches the names in every language, without a search index."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
)

NAME_FIELDS = ("name_fi", "name_sv", "name_en")


class CategorySearchForm(BaseFilterForm):
    """The chooser's search box: categories whose name (or group's name) contains it."""

    q = forms.CharField(label=_("Search term"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Search")}))

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            condition = Q()
            for field in NAME_FIELDS:
                condition |= Q(**{f"{field}__icontains": query})
                condition |= Q(**{f"parent__{field}__icontains": query})
            objects = objects.filter(condition)
            self.is_searching = True
            self.search_query = query
        return objects


class CategoryChooseMixin:
    filter_form_class = CategorySearchForm

    def get_object_list(self):
        # Each row's label names its group: read them in the same query.
        return super().get_object_list().select_related("parent")


class CategoryChooseView(CategoryChooseMixin, ChooseView):
    pass


class CategoryChooseResultsView(CategoryChooseMixin, ChooseResultsView):
    pass


class FeedbackCategoryChooserViewSet(SnippetChooserViewSet):
    choose_view_class = CategoryChooseView
    choose_results_view_class = CategoryChooseResultsView
