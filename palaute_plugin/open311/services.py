"""Services: the city's active categories that take feedback, by their service code."""

from django.db.models import Exists, OuterRef

from ..models import FeedbackCategory
from .models import ServiceAttribute


def service_categories():
    """What a report can be filed under: as on the form, a group with active children
    (shown as their heading) is not a service itself; its children name it as ``group``."""
    has_attributes = ServiceAttribute.objects.filter(category=OuterRef("pk"))
    active_children = FeedbackCategory.objects.filter(parent=OuterRef("pk"), active=True)
    return (FeedbackCategory.objects.accepting_feedback().exclude(service_code="")
            .exclude(Exists(active_children))
            .select_related("parent").annotate(has_attributes=Exists(has_attributes)))


def service_item(category):
    group = category.parent.name if category.parent_id else ""
    return {
        "service_code": category.service_code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.has_attributes),
        "type": "realtime",
        "keywords": "",
        "group": group,
    }


def services():
    return [service_item(category) for category in service_categories()]


def attribute_item(attribute, order):
    item = {
        "variable": True,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": "",
        "order": order,
        "description": attribute.description,
    }
    if attribute.datatype in (ServiceAttribute.Datatype.SINGLE, ServiceAttribute.Datatype.MULTI):
        item["values"] = [{"key": key, "name": name} for key, name in attribute.value_pairs()]
    return item


def service_definition(category):
    attributes = category.open311_attributes.order_by("sort_order", "pk")
    return {
        "service_code": category.service_code,
        "attributes": [attribute_item(attribute, order)
                       for order, attribute in enumerate(attributes, start=1)],
    }
