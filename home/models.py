"""The city site's own page types (not part of the reusable plugin)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from palaute_plugin.blocks import FeedbackBlock, FeedbackBlockPageMixin
from palaute_plugin.legacy.models import FeedbackFormPageMixin
from palaute_plugin.models import FeedbackPage
from palaute_plugin.page_categories import FeedbackCategoryPageMixin


class HomePage(Page):
    intro = RichTextField(_("intro"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("home page")


class ContentPage(FeedbackBlockPageMixin, FeedbackCategoryPageMixin, Page):
    """An ordinary page of the city site, built from blocks (a feedback form among them)."""

    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title", label=_("Heading"))),
            ("paragraph", blocks.RichTextBlock(label=_("Paragraph"))),
            ("feedback", FeedbackBlock()),
        ],
        blank=True,
        verbose_name=_("body"),
    )

    content_panels = Page.content_panels + [FieldPanel("body")]
    promote_panels = Page.promote_panels + FeedbackCategoryPageMixin.feedback_category_panels

    class Meta:
        verbose_name = _("content page")


@register_setting(icon="comment")
class FeedbackLinkSettings(BaseSiteSetting):
    """The site-wide "Give feedback" link on every page (``templates/base.html``)."""

    show_feedback_link = models.BooleanField(
        _("show the feedback link on every page"), default=True)
    feedback_page = models.ForeignKey(
        FeedbackPage, verbose_name=_("feedback page"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("The link opens this page (in the visitor's language when translated), "
                    "with the topic of the page it was clicked on chosen."))

    panels = [FieldPanel("show_feedback_link"), FieldPanel("feedback_page")]

    class Meta:
        verbose_name = _("feedback link")


class FormField(AbstractFormField):
    page = ParentalKey("FormPage", on_delete=models.CASCADE, related_name="form_fields")


class FormPage(FeedbackFormPageMixin, AbstractEmailForm):
    """A free-form web form of the older kind (welfare, culture, sports), whose submissions
    can become feedback cases (``FeedbackFormPageMixin``)."""

    intro = RichTextField(_("intro"), blank=True)
    thank_you_text = RichTextField(_("thank-you text"), blank=True)

    content_panels = AbstractEmailForm.content_panels + [
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Form fields")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            _("Email"),
        ),
        *FeedbackFormPageMixin.feedback_panels,
    ]

    class Meta:
        verbose_name = _("free-form web form")
