from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtailgeowidget.widgets import LeafletField

from ..public.caching import rendered_once

register = template.Library()

FIELD_TEMPLATE = "palaute_plugin/includes/field.html"


def _same_for_everyone(field, render):
    """A field of an unbound form that reads nothing from the database or the visitor
    (the form's ``same_for_everyone``) is rendered once per process and language."""
    form = field.form
    if (form.is_bound or field.name in form.initial
            or field.name not in getattr(form, "same_for_everyone", ())):
        return render()
    key = (type(form).__module__, type(form).__qualname__, form.prefix, field.name,
           render.__name__, get_language())
    return mark_safe(rendered_once(key, render))  # noqa: S308 (our own rendering)


@register.simple_tag
def form_field(field):
    """The field's label, hint, errors and widget (``includes/field.html``)."""
    def field_block():
        return render_to_string(FIELD_TEMPLATE, {"field": field})
    return _same_for_everyone(field, field_block)


@register.simple_tag
def form_widget(field):
    """The field's widget alone."""
    def widget():
        return field.as_widget()
    return _same_for_everyone(field, widget)


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


@register.simple_tag
def palaute_map_words():
    """Leaflet's words in the active language (JSON) for ``data-palaute-map-words``."""
    from ..widgets import leaflet_words_json

    return leaflet_words_json()


@register.simple_tag(takes_context=True)
def palaute_route_translations(context):
    """``(locale, url)`` of the page being shown in the feedback page's other languages:
    the same route with the same arguments (the translations are copies of the page, with
    the same routes) and the route's own query parameters (``views.route_translations``).
    One query, with the request's site root paths."""
    from ..public.views import route_translations

    page, request = context.get("page"), context.get("request")
    if page is None or request is None:
        return []
    return route_translations(page, request)


@register.filter
def language_in_sentence(code):
    """``models.language_name``: the language named as the active language writes it
    inside a sentence ("på svenska", "in Swedish")."""
    from ..models import language_name

    return language_name(code)
