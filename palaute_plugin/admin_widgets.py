"""Map widgets for the admin, with Leaflet served from our own static files."""

from django import forms
from wagtailgeowidget.widgets import LeafletField


class LocalLeafletField(LeafletField):
    """wagtailgeowidget's ``LeafletField`` without its unpkg.com CDN files.

    Leaflet comes from the ``xstatic-leaflet`` package, published under the
    ``leaflet/`` static prefix by ``STATICFILES_DIRS``.
    """

    @property
    def media(self):
        return forms.Media(
            css={"all": ("leaflet/leaflet.css", "wagtailgeowidget/css/leaflet-field.css")},
            js=(
                "leaflet/leaflet.js",
                "wagtailgeowidget/js/leaflet-field.js",
                "wagtailgeowidget/js/leaflet-field-controller.js",
            ),
        )


class ReadOnlyLeafletMap(LocalLeafletField):
    """A map that shows a case's point; nothing is posted.

    Wrap it in ``.palaute-map--readonly`` (``palaute_plugin/css/admin.css``)
    so that the marker cannot be dragged either.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("hide_latlng", True)
        super().__init__(*args, **kwargs)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "disabled": True}
        return super().render(name, value, attrs, renderer)
