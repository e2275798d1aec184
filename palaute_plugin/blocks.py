"""``FeedbackBlock``: a compact feedback form editors put on any ordinary page.

Add the block to a page's StreamField and mix ``FeedbackBlockPageMixin`` into the
page model, so that the page takes the block's plain POST (no JavaScript needed).
Render the stream with ``{% include_block block with block_id=block.id %}``.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.snippets.blocks import SnippetChooserBlock


class FeedbackBlock(blocks.StructBlock):
    """Kind, message, an optional photo, place and email; the category chosen by the editor
    (or a choice among one group's categories)."""

    heading = blocks.CharBlock(label=_("Heading"), required=False,
                               help_text=_("For example “Give feedback on this page”."))
    category = SnippetChooserBlock(
        "palaute_plugin.FeedbackCategory", label=_("Category"), required=False,
        help_text=_("Feedback sent here goes to this category; residents do not choose."))
    category_group = SnippetChooserBlock(
        "palaute_plugin.FeedbackCategory", label=_("Or a choice within a group"),
        required=False,
        help_text=_("Residents choose among this group's categories (when no category is set)."))

    class Meta:
        icon = "comment"
        label = _("Feedback form")
        template = "palaute_plugin/blocks/feedback_block.html"

    def clean(self, value):
        value = super().clean(value)
        if not value.get("category") and not value.get("category_group"):
            raise StructBlockValidationError(block_errors={"category": ValidationError(
                _("Choose a category or a group."))})
        return value

    def get_context(self, value, parent_context=None):
        from .public.block import block_context

        context = super().get_context(value, parent_context=parent_context)
        context.update(block_context(value, parent_context or {}))
        return context


class FeedbackBlockPageMixin:
    """Lets a page with ``FeedbackBlock``s in ``feedback_block_fields`` take their posts."""

    feedback_block_fields = ("body",)

    def find_feedback_block(self, block_id):
        """The ``FeedbackBlock`` value with this id in the page's streams, or None."""
        for name in self.feedback_block_fields:
            for child in getattr(self, name, None) or ():
                if child.id == block_id and isinstance(child.block, FeedbackBlock):
                    return child.value
        return None

    def serve(self, request, *args, **kwargs):
        from .public.block import BLOCK_FIELD, serve_block_post

        if request.method == "POST" and BLOCK_FIELD in request.POST:
            return serve_block_post(request, self)
        response = super().serve(request, *args, **kwargs)
        if request.GET.get("palaute"):
            from .public.views import private_response

            private_response(response)
        return response
