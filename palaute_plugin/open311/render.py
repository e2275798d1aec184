"""GeoReport v2 answers as JSON or XML, and its error shape.

Values are plain Python (dicts, lists, strings, numbers, booleans, ``None``); XML is
built with ``xml.etree`` so that text is always escaped. Characters XML 1.0 cannot
hold at all (most control characters) are replaced, never passed through.
"""

import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

#: The element of each item of a list, by the list's name.
ITEM_NAMES = {
    "services": "service", "service_requests": "request", "attributes": "attribute",
    "values": "value", "endpoints": "endpoint", "formats": "format", "media": "media_url",
    "errors": "error",
}
CONTENT_TYPES = {"json": "application/json; charset=utf-8",
                 "xml": "text/xml; charset=utf-8"}
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class ApiError(Exception):
    """An answer in the spec's error shape: ``[{code, description}]``."""

    def __init__(self, status, description):
        super().__init__(str(description))
        self.status = status
        self.description = description


def w3c(value):
    """A datetime as W3C / ISO 8601 with its offset, in the site's time zone."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def xml_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _fill(element, value):
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        child_name = ITEM_NAMES.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, child_name), item)
    else:
        element.text = xml_text(value)


def to_xml(root_name, value):
    root = ET.Element(root_name)
    _fill(root, value)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def to_json(value):
    return json.dumps(value, ensure_ascii=False).encode()


def respond(fmt, root_name, value, status=200, headers=None):
    """``value`` as ``fmt`` (``json`` or ``xml``); ``root_name`` is the XML root."""
    body = to_xml(root_name, value) if fmt == "xml" else to_json(value)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    for name, header in (headers or {}).items():
        response[name] = header
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error_response(fmt, status, description, headers=None):
    errors = [{"code": status, "description": str(description)}]
    return respond(fmt, "errors", errors, status=status, headers=headers)
