"""WCAG 1.4.10 reflow: a resident who zooms a phone to 200 % (390 px → 195 CSS px) reads
every page without scrolling sideways, and the public list's filters are as easy to tap as
the form's fields (acceptance test, 2026-12-03: the list's topic and status selects stuck
out past the edge, the header stopped partway, and its native controls were 20 px tall)."""

import pytest
from playwright.sync_api import expect

from .test_publication_flow import published  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

ZOOMED = {"viewport": {"width": 195, "height": 422}, "device_scale_factor": 2,
          "is_mobile": True, "has_touch": True}
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    // An element past the edge, or one whose content (a long word) runs out of it.
    const wide = [...document.querySelectorAll('body *')].filter(el => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && (box.right > width || (
            el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible'
            && box.left + el.scrollWidth > width));
    }).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                 + (el.className && typeof el.className === 'string'
                    ? '.' + el.className.split(' ').join('.') : ''));
    return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8)};
}"""


@pytest.mark.parametrize("path", [
    "", "julkiset/", "julkiset/?status=new", "julkiset/kartta/", "{detail}",
    "receipt/{token}/", "status/{token}/",
])
def test_public_pages_reflow_at_200_percent(new_context, published, streets, path):  # noqa: F811
    case = published.feedback
    page = new_context(**ZOOMED).new_page()
    page.goto("/palaute/" + path.format(detail=f"julkiset/{published.reference}/",
                                        token=case.tracking_token))
    expect(page.locator("main")).to_be_visible()
    measured = page.evaluate(OVERFLOW)
    assert measured["scroll"] <= measured["width"], measured


def test_the_public_lists_filters_are_as_tall_as_the_forms_fields(phone, published):  # noqa: F811
    phone.goto("/palaute/julkiset/")
    controls = phone.locator(".publication-filters select, .publication-filters input")
    assert controls.count() >= 3
    for index in range(controls.count()):
        box = controls.nth(index).bounding_box()
        assert box["height"] >= 44, (index, box)
