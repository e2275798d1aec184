from django import template
from wagtailgeowidget.widgets import LeafletField

register = template.Library()


@register.simple_tag
def described_widget(field):
    """Render a field's widget pointing ``aria-describedby`` at its hint and errors."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def first_input_id(field):
    """The id an error summary links to: the first radio of a group, else the field."""
    if isinstance(field.field.widget, LeafletField):
        return f"{field.auto_id}_latlng"  # the visible coordinate box, not the hidden value
    if getattr(field.field.widget, "input_type", "") == "radio":
        return f"{field.auto_id}_0"
    return field.auto_id


@register.filter
def status_label(code):
    """A status code as a label in the active language."""
    from ..models import Feedback

    return dict(Feedback.Status.choices).get(code, code)
