"""The case screen's read-only map."""

from ..widgets import LocalLeafletField


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
