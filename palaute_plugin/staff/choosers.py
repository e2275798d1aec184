"""The category chooser (a category's group, a response template's category): its
modal searches the names in every language, without a search index. The snippet
choosers' button texts follow each viewer's admin language (``LanguageAwareSnippetChooser``)."""

from django import forms
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
)
from wagtail.snippets.widgets import AdminSnippetChooser

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


def _object_text(text, name):
    """Wagtail's ``text`` about a snippet named ``name``, translated when shown."""
    return lazy(lambda: gettext(text) % {"object": name}, str)()


class LanguageAwareSnippetChooser(AdminSnippetChooser):
    """Wagtail's snippet chooser with its button texts in the viewer's language.

    Wagtail formats them when the widget is made, once with the form class, so every
    staff member saw them in the language of whoever first opened the form (Finnish
    "Valitse" in the Swedish admin). These msgids are Wagtail's own."""

    def __init__(self, model=None, **kwargs):
        super().__init__(model, **kwargs)
        name = self.model._meta.verbose_name
        self.choose_one_text = _object_text("Choose %(object)s", name)
        self.choose_another_text = _object_text("Choose another %(object)s", name)
        self.link_to_chosen_text = _object_text("Edit this %(object)s", name)


class LanguageAwareChooserViewSet(SnippetChooserViewSet):
    base_widget_class = LanguageAwareSnippetChooser


class FeedbackCategoryChooserViewSet(LanguageAwareChooserViewSet):
    choose_view_class = CategoryChooseView
    choose_results_view_class = CategoryChooseResultsView

