"""The API's step in a case's timeline: which key sent it, and the link it gave."""

from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter

from .. import log_actions as case_log_actions

SUBMITTED = "palaute_plugin.open311_submitted"


class SubmittedFormatter(LogFormatter):
    """Names the key; the client's title, media link and answers are the comment."""

    label = _("Received through the API")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return _("Received through the API key “%(name)s”") % {"name": data.get("key_name", "")}

    def format_comment(self, log_entry):
        data = log_entry.data or {}
        parts = []
        if data.get("title"):
            parts.append(_("Title: %(title)s") % {"title": data["title"]})
        if data.get("media_url"):
            parts.append(_("Media link (not fetched): %(url)s") % {"url": data["media_url"]})
        for code, value in (data.get("attributes") or {}).items():
            shown = ", ".join(value) if isinstance(value, list) else value
            parts.append(f"{code}: {shown}")
        return "\n".join(str(part) for part in parts)


LOG_ACTIONS = {SUBMITTED: SubmittedFormatter}


def register_log_actions(actions):
    case_log_actions.register_log_actions(actions, LOG_ACTIONS)
