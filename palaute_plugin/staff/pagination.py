"""Paging the inbox at any size: an honest cap instead of counting the whole table.

A million cases make ``COUNT(*)`` and a deep ``OFFSET`` cost a scan of the table on
every page. ``CappedPaginator`` counts at most ``max_count + 1`` rows, so its count is
exact below the cap and "more than ``max_count``" above it, and it never pages past
the cap: a deeper page number shows the last listed page, and the inbox asks for a
narrower search (as GitHub's search and many admin lists do).
"""

from django.db.models import Count, QuerySet
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.paginator import WagtailPaginator

from ..models import FeedbackPhoto

#: Cases listed for one set of filters at most (200 pages of 50).
MAX_LISTED_CASES = 10_000
#: Matches listed for a text search at most: counting a common word's matches costs
#: a test of the text of every row until this many are found (as GitHub's 1,000).
MAX_SEARCHED_CASES = 1_000


class CappedPaginator(WagtailPaginator):
    """A paginator whose count stops at ``max_count``; ``is_capped`` tells when it did."""

    max_count = MAX_LISTED_CASES

    def __init__(self, object_list, per_page, *args, max_count=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        if max_count is not None:
            self.max_count = max_count

    @cached_property
    def counted(self):
        """The rows up to ``max_count + 1``; the ordering and columns do not count."""
        return self.object_list.order_by().values("pk")[: self.max_count + 1].count()

    @cached_property
    def is_capped(self):
        return self.counted > self.max_count

    @cached_property
    def count(self):
        return min(self.counted, self.max_count)

    def page(self, number):
        """The page's rows read by id: the OFFSET skips index entries, never whole rows.

        A deep page (the last listed, 10,000 rows in) asks the ordered ids first, then
        reads the rows shown (a deferred join); ordering the ids needs only the columns
        sorted on.
        """
        page = super().page(number)
        if isinstance(page.object_list, QuerySet):
            ids = list(page.object_list.values_list("pk", flat=True))
            rows = self.object_list.order_by().in_bulk(ids)
            page.object_list = [rows[pk] for pk in ids if pk in rows]
        return page

    @cached_property
    def items_count_label(self):
        if self.is_capped:
            return _("More than %(count)s feedback") % {
                "count": number_format(self.max_count, force_grouping=True)}
        # Wagtail writes the count and the plural name ("4 palaute"); a language's own
        # plural forms read "4 palautetta", "1 ärende".
        return ngettext("%(count)s feedback", "%(count)s feedback", self.count) % {
            "count": number_format(self.count, force_grouping=True)}


def add_photo_counts(cases):
    """Set ``photo_count`` on each of ``cases`` (the rows shown) with one query."""
    counts = dict(
        FeedbackPhoto.objects.filter(feedback__in=[case.pk for case in cases])
        .values_list("feedback").order_by().annotate(count=Count("pk"))
    )
    for case in cases:
        case.photo_count = counts.get(case.pk, 0)
    return cases
