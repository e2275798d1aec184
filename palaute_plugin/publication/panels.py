"""The moderator's view of what was redacted and what still looks personal."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel


class RedactionPanel(Panel):
    """Shows the text with redactions highlighted, and warns of emails and HETUs."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "palaute_plugin/admin/publication_redactions.html"

        def get_context_data(self, parent_context=None):
            from .redaction import highlight, sensitive_findings

            context = super().get_context_data(parent_context)
            text = getattr(self.instance, "text", "")
            context.update({
                "highlighted": highlight(text),
                "findings": sensitive_findings(text),
                "help": _("Removed personal data is highlighted. Read the whole text "
                          "before approving."),
            })
            return context
