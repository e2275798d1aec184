"""The category snippet's admin form: the responsible person is one of the category's staff."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.utils import get_user_display_name

from ..models import FeedbackCategory
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
        return cleaned
