"""Template tags of the city site's own templates (``templates/base.html``)."""

from django import template

register = template.Library()


@register.simple_tag
def live_translations(page):
    """The page's live translations with their locales, in one query.

    ``page.get_translations.live`` in a template would look up each
    translation's locale separately, on every page of the site.
    """
    if page is None or not hasattr(page, "get_translations"):
        return []
    return list(page.get_translations().live().select_related("locale"))
