"""The report's filters: a date range, the period to group by, category, kind, channel."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..models import Feedback
from .figures import Filters, periods_between, stats_categories

#: An open-ended range starts this many years before its end (or ends today).
UNBOUNDED_YEARS = 10
#: At most this many bars per chart: more weeks than this need months or years.
MAX_PERIODS = 120


def twelve_months_before(day):
    """The first day of the month eleven months before ``day``'s: twelve months in all."""
    months = day.year * 12 + day.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1)


class StatisticsFilterForm(forms.Form):
    """Filters from the query string. Empty dates default to the last twelve months;
    an inverted range is an error, a range without a start is capped."""

    start = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    period = forms.ChoiceField(label=_("Group by"), required=False, initial="month", choices=[
        ("week", _("week")), ("month", _("month")), ("year", _("year"))])
    category = forms.ModelChoiceField(label=_("Category"), required=False, queryset=None,
                                      empty_label=_("All"))
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)

    def __init__(self, data=None, *, user, today=None):
        self.today = today or timezone.localdate()
        if data is not None:  # show the defaults the figures use
            data = data.copy()
            if not data.get("period"):
                data["period"] = "month"
            if not data.get("start") and not data.get("end"):
                data["start"] = twelve_months_before(self.today).isoformat()
                data["end"] = self.today.isoformat()
        super().__init__(data)
        self.notes = []
        self.fields["category"].queryset = stats_categories(user).select_related("parent")
        all_label = [("", _("All"))]
        self.fields["kind"].choices = all_label + [
            (value, capfirst(label)) for value, label in Feedback.Kind.choices]
        self.fields["channel"].choices = all_label + [
            (value, capfirst(label)) for value, label in Feedback.Channel.choices]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        end = data.get("end") or self.today
        start = data.get("start")
        if start is None:
            if data.get("end"):
                start = end.replace(day=1, year=end.year - UNBOUNDED_YEARS)
                # Within the chart's bars too: ten years are more than 120 months or weeks.
                starts = periods_between(start, end, data.get("period") or "month")
                start = starts[-MAX_PERIODS] if len(starts) > MAX_PERIODS else start
                self.notes.append(_(
                    "The range had no start: it starts on %(start)s (at most %(years)s years "
                    "or %(count)s periods before its end).") % {
                        "start": date_format(start, "SHORT_DATE_FORMAT"),
                        "years": UNBOUNDED_YEARS, "count": MAX_PERIODS})
            else:
                start = twelve_months_before(end)
        if start > end:
            # Written as the rest of the admin writes dates in the staff member's language
            # (Finnish 5.12.2026, Swedish 2026-12-05, English 12/05/2026).
            raise forms.ValidationError(
                _("The start date %(start)s is after the end date %(end)s."),
                code="inverted", params={"start": date_format(start, "SHORT_DATE_FORMAT"),
                                         "end": date_format(end, "SHORT_DATE_FORMAT")})
        if start.year < 2000 or end.year > self.today.year + 1:
            raise forms.ValidationError(_("Choose dates between the year 2000 and next year."),
                                        code="out_of_range")
        period = data.get("period") or "month"
        if len(periods_between(start, end, period)) > MAX_PERIODS:
            raise forms.ValidationError(
                _("The range has more than %(count)s periods: group it by a longer period "
                  "or shorten it."), code="too_many_periods", params={"count": MAX_PERIODS})
        data.update(start=start, end=end, period=period)
        return data

    def filters(self):
        """The ``Filters`` of a valid form."""
        data = self.cleaned_data
        return Filters(start=data["start"], end=data["end"], period=data["period"],
                       category=data.get("category"), kind=data.get("kind") or "",
                       channel=data.get("channel") or "")
