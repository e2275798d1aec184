"""The daily aggregate the statistics report reads instead of the cases.

Each row counts the cases received on one (local) day with the same dimensions.
``aggregates.rebuild_days`` writes a day's rows anew from its cases, so running it
twice changes nothing; the ``tasks.refresh_statistics`` schedule rebuilds the days
whose cases changed, or whose public records' affected counts did. Today's cases
are counted live by the report.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DayStatBase(models.Model):
    """The dimensions every aggregate row has: the day received and the filters' fields."""

    day = models.DateField(_("day received"), db_index=True)
    category = models.ForeignKey(
        "palaute_plugin.FeedbackCategory", verbose_name=_("category"),
        on_delete=models.CASCADE, related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20)
    channel = models.CharField(_("channel"), max_length=20)
    count = models.PositiveIntegerField(_("cases"), default=0)

    class Meta:
        abstract = True


class CaseDayStat(DayStatBase):
    """Cases by day, category, kind, channel and current status, with the month they
    closed in (empty while open), from which the backlog at each month's end follows,
    and the residents they affect (the sum of their public records' ``affected_count``)."""

    status = models.CharField(_("status"), max_length=20)
    closed_month = models.DateField(
        _("month closed"), null=True, blank=True,
        help_text=_("The first day of the month the case was closed in; empty while open."),
    )
    affected = models.PositiveIntegerField(_("affected residents"), default=0)

    class Meta:
        verbose_name = _("daily case count")
        verbose_name_plural = _("daily case counts")
        # closed_month: the backlog reads the cases still open or closed after its start.
        indexes = [models.Index(fields=["day", "category"]), models.Index(fields=["closed_month"])]
        permissions = [("view_statistics",
                        _("Can see the feedback statistics of every category"))]

    def __str__(self):
        return f"{self.day} {self.category_id} {self.status}: {self.count}"


class DurationDayStat(DayStatBase):
    """How long the cases of a day took to a first response or to closing, as a
    histogram: ``count`` cases took at most ``hours`` (see ``aggregates.duration_bucket``),
    and whether they were answered (or closed) by their due time, which counts working
    days (``on_time``; empty for a case without one)."""

    class Measure(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("time to first response")
        CLOSING = "closing", _("time to closing")

    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    hours = models.PositiveIntegerField(_("hours at most"))
    on_time = models.BooleanField(_("by the due time"), null=True)

    class Meta:
        verbose_name = _("daily handling time")
        verbose_name_plural = _("daily handling times")
        indexes = [models.Index(fields=["day", "category"])]

    def __str__(self):
        return f"{self.day} {self.category_id} {self.measure} ≤{self.hours} h: {self.count}"


class PlaceDayStat(DayStatBase):
    """Cases with a location by day and map cell (see ``aggregates.PLACE_CELL``)."""

    cell_lat = models.IntegerField(_("cell row"))
    cell_lon = models.IntegerField(_("cell column"))

    class Meta:
        verbose_name = _("daily place count")
        verbose_name_plural = _("daily place counts")
        indexes = [models.Index(fields=["day", "category"])]

    def __str__(self):
        return f"{self.day} ({self.cell_lat}, {self.cell_lon}): {self.count}"


class MonthStatBase(models.Model):
    """The roll-up of the daily aggregate by month: ``day`` is the first day of the
    month, and each row adds up the daily rows of that month with the same dimensions.
    ``aggregates.rebuild_months`` writes a month anew after any of its days is rebuilt;
    the report reads whole months here and the partial first and last month by day."""

    day = models.DateField(_("month received"), db_index=True,
                           help_text=_("The first day of the month."))
    category = models.ForeignKey(
        "palaute_plugin.FeedbackCategory", verbose_name=_("category"),
        on_delete=models.CASCADE, related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20)
    channel = models.CharField(_("channel"), max_length=20)
    count = models.PositiveIntegerField(_("cases"), default=0)

    class Meta:
        abstract = True


class CaseMonthStat(MonthStatBase):
    """``CaseDayStat`` by month."""

    status = models.CharField(_("status"), max_length=20)
    closed_month = models.DateField(_("month closed"), null=True, blank=True)
    affected = models.PositiveIntegerField(_("affected residents"), default=0)

    class Meta:
        verbose_name = _("monthly case count")
        verbose_name_plural = _("monthly case counts")
        indexes = [models.Index(fields=["closed_month"])]

    def __str__(self):
        return f"{self.day:%Y-%m} {self.category_id} {self.status}: {self.count}"


class DurationMonthStat(MonthStatBase):
    """``DurationDayStat`` by month."""

    measure = models.CharField(_("measure"), max_length=20,
                               choices=DurationDayStat.Measure.choices)
    hours = models.PositiveIntegerField(_("hours at most"))
    on_time = models.BooleanField(_("by the due time"), null=True)

    class Meta:
        verbose_name = _("monthly handling time")
        verbose_name_plural = _("monthly handling times")

    def __str__(self):
        return f"{self.day:%Y-%m} {self.category_id} {self.measure} ≤{self.hours} h: {self.count}"


class PlaceMonthStat(MonthStatBase):
    """``PlaceDayStat`` by month."""

    cell_lat = models.IntegerField(_("cell row"))
    cell_lon = models.IntegerField(_("cell column"))

    class Meta:
        verbose_name = _("monthly place count")
        verbose_name_plural = _("monthly place counts")

    def __str__(self):
        return f"{self.day:%Y-%m} ({self.cell_lat}, {self.cell_lon}): {self.count}"


#: Each daily model and its monthly roll-up, and the columns the roll-up groups by
#: (besides the month and the dimensions) and adds up.
ROLLUPS = (
    (CaseDayStat, CaseMonthStat, ("status", "closed_month"), ("count", "affected")),
    (DurationDayStat, DurationMonthStat, ("measure", "hours", "on_time"), ("count",)),
    (PlaceDayStat, PlaceMonthStat, ("cell_lat", "cell_lon"), ("count",)),
)


class StatisticsState(models.Model):
    """One row: until when changed cases have been folded into the aggregate."""

    changes_seen_until = models.DateTimeField(_("changes seen until"), null=True, blank=True)

    class Meta:
        verbose_name = _("statistics state")

    def __str__(self):
        return str(self.changes_seen_until)


class StaleStatisticsDay(models.Model):
    """A day to rebuild at the next refresh, for a change that leaves no time behind in
    the cases or their public records: a deleted case, public record or "me too"
    subscription (see ``stats.receivers``). The refresh deletes the rows it has read."""

    day = models.DateField(_("day received"))
    marked_at = models.DateTimeField(_("marked"), default=timezone.now)

    class Meta:
        verbose_name = _("day to count again")
        verbose_name_plural = _("days to count again")

    def __str__(self):
        return str(self.day)
