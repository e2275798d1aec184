"""The category snippet's admin form: the responsible person is one of the category's staff."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.utils import get_user_display_name

from ..models import FeedbackCategory
from ..notifications import anyone_told
from ..permissions import feedback_administrators, handlers_of


class FeedbackCategoryForm(WagtailAdminModelForm):
    """Offers as responsible person only those who may handle the category's cases
    (``permissions.handlers_of``), by full name, and checks the person against the
    handler group chosen in the same form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("responsible_person")
        if field is None:
            return
        categories = FeedbackCategory.objects.all()
        if self.instance.pk and self.instance.handler_group_id:
            categories = categories.filter(pk=self.instance.pk)
        field.queryset = handlers_of(categories)
        field.label_from_instance = get_user_display_name

    def clean(self):
        cleaned = super().clean()
        person, group = cleaned.get("responsible_person"), cleaned.get("handler_group")
        if person is not None and group is not None and not (
                person.groups.filter(pk=group.pk).exists()
                or feedback_administrators().filter(pk=person.pk).exists()):
            self.add_error("responsible_person", _(
                "Choose a member of the handler group %(group)s as the responsible person, "
                "or add them to the group first.") % {"group": group.name})
        if self.takes_feedback(cleaned) and not anyone_told(
                person, group, cleaned.get("notification_emails", "")):
            # Cases of such a topic sat "new" with nobody told, while the resident's
            # receipt said they had been passed on.
            self.add_error("responsible_person", _(
                "Nobody would be told of this topic's feedback. Choose a responsible person "
                "or a handler group with members who have an email address, add a "
                "notification address, or save the topic as not active."))
            if cleaned.get("parent") is not None:
                # An editor expected the group's addresses to cover its topics.
                self.add_error("responsible_person", _(
                    "A group's people and addresses are not told of its topics' feedback: "
                    "each topic names its own."))
        return cleaned

    def takes_feedback(self, cleaned):
        """Active, the city's own, and not a group heading with active topics under it."""
        if not cleaned.get("active") or cleaned.get("other_authority") is not None:
            return False
        return not (self.instance.pk and self.instance.children.filter(active=True).exists())
