"""The statistics report under Wagtail's Reports menu, and its two exports: the
figures and the cases behind them (CSV and XLSX through Wagtail's
``SpreadsheetExportMixin``, guarded against formula injection)."""

import itertools
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from ..permissions import sees_all_feedback, user_can_access_feedback_admin, visible_categories
from ..publication.actions import COORDINATE_DECIMALS
from . import charts
from .figures import Figures, choices_of, sees_all_statistics
from .forms import StatisticsFilterForm

#: A text cell starting with one of these is a formula (or becomes one) in a
#: spreadsheet program; such cells get a leading apostrophe in CSV (OWASP's advice).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DIMENSIONS = (
    ("group", gettext_lazy("Cases by category group")),
    ("kind", gettext_lazy("Cases by kind")),
    ("channel", gettext_lazy("Cases by channel")),
    ("status", gettext_lazy("Cases by current status")),
)


def may_see_statistics(user):
    return user_can_access_feedback_admin(user) or sees_all_statistics(user)


#: Control characters no spreadsheet cell may hold (openpyxl refuses them: the XLSX
#: export was a server error for a message with a NUL byte or a pasted vertical tab);
#: tab, line feed and carriage return stay.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def spreadsheet_text(value):
    """Text a cell can hold: a vertical tab or form feed (Word's soft line break, pasted)
    is a line break, any other control character is dropped."""
    if not isinstance(value, str):
        return value
    return CONTROL_CHARACTERS.sub(
        lambda found: "\n" if found.group() in "\x0b\x0c" else "", value)


def local_time(value):
    """An aware time as the city's local wall-clock time to the second, without a zone
    (Wagtail's export wrote UTC, and the CSV microseconds and "+00:00")."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        # The city's zone, not the active one: the CSV streams after the view returned
        # (and Wagtail's override of the staff member's own zone with it).
        return timezone.make_naive(value, ZoneInfo(settings.TIME_ZONE)).replace(microsecond=0)
    return value


class SafeSpreadsheetExportMixin(SpreadsheetExportMixin):
    """Wagtail's export, with text that a spreadsheet would run as a formula made inert.

    Wagtail's XLSX writer already stores a cell openpyxl takes for a formula as text
    (and text cells are never evaluated); its CSV writes values as they are, so CSV
    cells starting with ``FORMULA_PREFIXES`` get a leading apostrophe.
    """

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, local_time(value), export_format)
        value = spreadsheet_text(value)
        if export_format == self.FORMAT_CSV:
            return neutralise_formula(value)
        return value

    def write_csv_response(self, queryset):
        """UTF-8 said in the header, and with a byte order mark first, which Excel needs
        to read the file as UTF-8 (without it "Ryhmä" shows as "RyhmÃ¤")."""
        response = super().write_csv_response(queryset)
        response["Content-Type"] = "text/csv; charset=utf-8"
        response.streaming_content = itertools.chain(["\ufeff"], response.streaming_content)
        return response

    def get_heading(self, queryset, field):
        return str(self.export_headings.get(field, field))

    def sheet_title(self):
        r"""The XLSX sheet's name in the staff member's language (Wagtail's is "Sheet1"):
        the page's title, as Excel allows it (31 characters, none of ``[]:*?/\``)."""
        title = re.sub(r"[\[\]:*?/\\]", "", str(getattr(self, "page_title", "") or ""))
        return title[:31] or "Sheet1"

    def write_xlsx(self, queryset, output):
        """Wagtail's ``write_xlsx`` with the sheet named by ``sheet_title``."""
        from openpyxl import Workbook
        from wagtail.admin.views.mixins import ExcelDateFormatter

        workbook = Workbook(write_only=True, iso_dates=True)
        worksheet = workbook.create_sheet(title=self.sheet_title())
        worksheet.append(self.get_heading(queryset, field) for field in self.list_export)
        date_format = ExcelDateFormatter().get()
        for item in queryset:
            worksheet.append(self.generate_xlsx_row(worksheet, self.to_row_dict(item),
                                                    date_format=date_format))
        workbook.save(output)

    def stream_csv(self, queryset):
        """Wagtail streams the CSV after the view has returned, when the request's
        language is no longer active: keep it for the headings and labels."""
        language = translation.get_language()
        rows = super().stream_csv(queryset)

        def in_language():
            with translation.override(language):
                yield from rows
        return in_language()


def period_label(start, period):
    if period == "week":
        year, week, _weekday = start.isocalendar()
        return _("week %(week)s/%(year)s") % {"week": week, "year": year}
    if period == "month":
        return f"{start.month}/{start.year}"
    return str(start.year)


class StatisticsMixin:
    """Checks access and reads the filters; ``self.figures`` is None when they are invalid."""

    def dispatch(self, request, *args, **kwargs):
        if not may_see_statistics(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def form(self):
        return StatisticsFilterForm(self.request.GET, user=self.request.user)

    @cached_property
    def figures(self):
        if not self.form.is_valid():
            return None
        return Figures(self.request.user, self.form.filters())

    def invalid_export(self):
        """Back to the report with the same filters, where the form says what is wrong in
        the admin's own layout (a bare text page said it before)."""
        params = self.request.GET.copy()
        params.pop("export", None)
        return redirect(f"{reverse('palaute_statistics')}?{params.urlencode()}")


class StatisticsView(StatisticsMixin, SafeSpreadsheetExportMixin, WagtailAdminTemplateMixin,
                     TemplateView):
    template_name = "palaute_plugin/stats/report.html"
    page_title = gettext_lazy("Feedback statistics")
    header_icon = "table"
    list_export = ["figure", "period", "item", "value"]
    export_headings = {"figure": gettext_lazy("Figure"), "period": gettext_lazy("Period"),
                       "item": gettext_lazy("Item"), "value": gettext_lazy("Value")}

    def get_filename(self):
        return "palaute-tilastot"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": _("Reports")},
                                         {"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        if self.is_export:
            if self.figures is None:
                return self.invalid_export()
            return self.as_spreadsheet(self.figure_rows(), request.GET["export"])
        return super().get(request, *args, **kwargs)

    @cached_property
    def show_export_buttons(self):
        return self.figures is not None

    def to_row_dict(self, item):
        return item

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        figures = self.figures
        if figures is None:
            return context
        cases_url = reverse("palaute_statistics_cases")
        query = self.request.GET.copy()
        query.pop("export", None)
        context.update({
            "figures": figures,
            "breakdowns": [self.breakdown_context(name, title) for name, title in DIMENSIONS],
            "by_category": figures.by_category(),
            "handling": self.handling_context(),
            "backlog": self.backlog_context(),
            "places": figures.places,
            "places_json": [{"lat": lat, "lon": lon, "count": n} for lat, lon, n in figures.places],
            "overdue_total": sum(n for _category, n in figures.overdue),
            "tile_url": tile_url(),
            "cases_csv_url": f"{cases_url}?{query_with(query, export='csv')}",
            "cases_xlsx_url": f"{cases_url}?{query_with(query, export='xlsx')}",
        })
        return context

    def period_labels(self):
        return [period_label(start, self.figures.filters.period) for start in self.figures.periods]

    def breakdown_context(self, name, title):
        figures = self.figures
        series, table = figures.breakdown(name)
        index = {start: position for position, start in enumerate(figures.periods)}
        values = {(index[period], key): n for (period, key), n in table.items() if period in index}
        labels = self.period_labels()
        rows = [(label, [values.get((position, key), 0) for key, _label in series],
                 sum(values.get((position, key), 0) for key, _label in series))
                for position, label in enumerate(labels)]
        return {
            "id": f"chart-{name}", "title": title, "series": series,
            "legend": [(label, charts.colour(i)) for i, (_key, label) in enumerate(series)],
            "rows": rows,
            "totals": [sum(values.get((p, key), 0) for p in range(len(labels)))
                       for key, _label in series],
            "svg": charts.stacked_bars(f"chart-{name}", title, _(
                "Stacked bars per period; the table below has the same numbers."),
                labels, series, values),
        }

    def handling_context(self):
        rows = [times.row() for times in self.figures.handling_times]
        chart_rows = [(row["label"], {"median": row["first_response_median_days"],
                                      "p90": row["first_response_p90_days"]},
                       row["expected_days"]) for row in rows[:-1]]
        title = _("Days to first response by category")
        return {"rows": rows, "svg": charts.horizontal_bars(
            "chart-handling", title,
            _("Median and 90th percentile per category; the vertical tick is the expected "
              "response time in working days. The table below has the same numbers."),
            chart_rows, [("median", _("median")), ("p90", _("90th percentile"))]),
            "legend": [(_("median"), charts.colour(0)), (_("90th percentile"), charts.colour(1))]}

    def backlog_context(self):
        months = self.figures.backlog
        labels = [period_label(month, "month") for month, _n in months]
        title = _("Open cases at each month's end")
        return {"rows": [(label, n) for label, (_month, n) in zip(labels, months, strict=True)],
                "svg": charts.line("chart-backlog", title, _(
                    "A line of open cases per month; the table below has the same numbers."),
                    labels, [n for _month, n in months])}

    def figure_rows(self):
        """The report's figures as rows of (figure, period, item, value)."""
        figures, labels, rows = self.figures, self.period_labels(), []
        for name, title in DIMENSIONS:
            series, table = figures.breakdown(name)
            for position, start in enumerate(figures.periods):
                rows.extend({"figure": str(title), "period": labels[position], "item": label,
                             "value": table[start, key]}
                            for key, label in series if table.get((start, key)))
        for category, count, _is_group in figures.by_category():
            rows.append({"figure": _("Cases by category"), "period": "",
                         "item": str(category), "value": count})
        for row in (times.row() for times in figures.handling_times):
            item = row["label"] or _("All categories")
            for key, figure in handling_figures():
                rows.append({"figure": figure, "period": "", "item": item, "value": row[key]})
        for label, n in self.backlog_context()["rows"]:
            rows.append({"figure": _("Open cases at the month's end"), "period": label,
                         "item": "", "value": n})
        for category, n in figures.overdue:
            rows.append({"figure": _("Overdue now"), "period": "", "item": str(category),
                         "value": n})
        rows.append({"figure": _("Affected residents of published cases"), "period": "",
                     "item": "",
                     "value": figures.affected_residents})
        for latitude, longitude, n in figures.places:
            rows.append({"figure": _("Cases at a place"), "period": "",
                         "item": f"{latitude:.4f}, {longitude:.4f}", "value": n})
        return rows


def handling_figures():
    return [
        ("expected_days", _("Expected response time, working days")),
        ("first_response_count", _("Cases answered")),
        ("first_response_median_days", _("Median days to first response")),
        ("first_response_p90_days", _("90th percentile of days to first response")),
        ("first_response_share_within_expected", _("Answered by the due date (%)")),
        ("closing_count", _("Cases closed")),
        ("closing_median_days", _("Median days to closing")),
        ("closing_p90_days", _("90th percentile of days to closing")),
        ("closing_share_within_expected", _("Closed by the due date (%)")),
    ]


def query_with(query, **params):
    query = query.copy()
    for key, value in params.items():
        query[key] = value
    return query.urlencode()


def tile_url():
    from django.conf import settings

    return getattr(settings, "GEO_WIDGET_LEAFLET_TILE_LAYER",
                   "https://tile.openstreetmap.org/{z}/{x}/{y}.png")


class StatisticsCasesExportView(StatisticsMixin, SafeSpreadsheetExportMixin, View):
    """The cases behind the figures. The message and the resident's contact details are
    filled only for cases the user may see (``permissions.visible_categories``); the
    place of the others is coarsened as for publication (three decimals, about 100 m),
    and their street address left out, since an exact place can be a resident's home."""

    list_export = ["reference", "created_at", "group", "category", "kind", "channel", "status",
                   "due_at", "first_response_at", "closed_at", "address", "latitude",
                   "longitude", "message", "contact_name", "contact_email", "contact_phone"]
    PERSONAL = ("message", "contact_name", "contact_email", "contact_phone")
    page_title = gettext_lazy("Cases")  # the XLSX sheet's name

    @cached_property
    def export_headings(self):
        from ..models import Feedback

        headings = {name: Feedback._meta.get_field(name).verbose_name
                    for name in self.list_export if name != "group"}
        headings["group"] = gettext_lazy("group")
        return {name: str(heading).capitalize() for name, heading in headings.items()}

    def get_filename(self):
        return "palaute-tapaukset"

    def get(self, request, *args, **kwargs):
        if self.figures is None or not self.is_export:
            # Without a format, too, back to the report, whose links name one (a bare
            # text page without a charset said "VÃ¤lj csv eller xlsx").
            return self.invalid_export()
        cases = (self.figures.cases().select_related("category__parent")
                 .order_by("created_at", "pk"))
        return self.as_spreadsheet(cases.iterator(chunk_size=2000), request.GET["export"])

    @cached_property
    def personal_data_categories(self):
        """The categories whose cases' personal data this user may see, or None for all."""
        if sees_all_feedback(self.request.user):
            return None
        return set(visible_categories(self.request.user).values_list("pk", flat=True))

    @cached_property
    def choice_labels(self):
        return choice_labels()

    def to_row_dict(self, item):
        category = item.category
        group = category.parent if category.parent_id else category
        row = {name: getattr(item, name) for name in self.list_export if name != "group"}
        row.update(group=group.name, category=category.name,
                   **{name: labels.get(row[name], row[name])
                      for name, labels in self.choice_labels.items()})
        allowed = self.personal_data_categories
        if allowed is not None and item.category_id not in allowed:
            # The street address is as exact as the place: left out like the message.
            row.update({name: "" for name in (*self.PERSONAL, "address")})
            row.update({name: coarse_coordinate(row[name]) for name in ("latitude", "longitude")})
        # In ``list_export``'s order: Wagtail's XLSX writes the values as they come.
        return {name: row[name] for name in self.list_export}


def choice_labels():
    """Kind, channel and status as the exports and the inbox write them, in the active
    language: "Kysymys", "Verkkolomake", "Käsittelyssä"."""
    return {name: {value: capfirst(str(label)) for value, label in choices_of(name)}
            for name in ("kind", "channel", "status")}


def coarse_coordinate(value):
    return None if value is None else round(value, COORDINATE_DECIMALS)

