"""Which category feedback about an ordinary page is about: editors set it on the page
(or on a section's top page, for all its subpages).

Mix ``FeedbackCategoryPageMixin`` into the site's page models; the feedback form
preselects ``category_for_page`` when residents come from a page (``?from=<page id>``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from .numbers import is_whole_number

FROM_PARAMETER = "from"


class FeedbackCategoryPageMixin(models.Model):
    feedback_category = models.ForeignKey(
        "palaute_plugin.FeedbackCategory", verbose_name=_("feedback category"), null=True,
        blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("Feedback given from this page or its subpages (through the site-wide "
                    "feedback link) is preselected into this category."),
    )

    feedback_category_panels = [FieldPanel("feedback_category")]

    class Meta:
        abstract = True


def page_from(request):
    """The live page a resident came from (``?from=``, kept in the form as ``from``)."""
    page_id = request.POST.get(FROM_PARAMETER) or request.GET.get(FROM_PARAMETER) or ""
    return Page.objects.live().filter(pk=page_id).first() if is_whole_number(page_id) else None


def category_for_page(page_id):
    """The category of the page or of its nearest ancestor that sets one, or None."""
    page = Page.objects.filter(pk=page_id).first() if is_whole_number(page_id) else None
    if page is None:
        return None
    for ancestor in Page.objects.ancestor_of(page, inclusive=True).order_by("-depth").specific():
        category = getattr(ancestor, "feedback_category", None)
        if category is not None and category.accepts_feedback:
            return category
    return None
