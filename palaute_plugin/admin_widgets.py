"""Map widgets for the admin, with Leaflet served from our own static files."""

from django import forms
from wagtailgeowidget.widgets import LeafletField

from .widgets import LOCAL_LEAFLET_CSS, LOCAL_LEAFLET_JS


class LocalLeafletField(LeafletField):
    """wagtailgeowidget's ``LeafletField`` with our own Leaflet instead of its CDN files.

    Leaflet comes from the ``xstatic-leaflet`` package, published under the
    ``leaflet/`` static prefix by ``STATICFILES_DIRS``.
    """

    @property
    def media(self):
        # The admin has jQuery and Stimulus already; its controller boots the map.
        return forms.Media(
            css={"all": LOCAL_LEAFLET_CSS},
            js=(*LOCAL_LEAFLET_JS[1:], "wagtailgeowidget/js/leaflet-field-controller.js"),
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
