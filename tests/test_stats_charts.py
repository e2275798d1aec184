"""The statistics' SVG charts: labels that fit (staff acceptance test, 2026-12-03: by week
the x axis read "v. 40/202641/202642/2026…", and the handling times' topic labels ran out
of the chart on the left)."""

import re

from palaute_plugin.stats import charts


def x_label_texts(svg):
    return re.findall(r'<text x="[^"]+" y="[^"]+" class="tick" text-anchor="middle">([^<]+)',
                      str(svg))


def test_week_labels_are_thinned_so_that_they_do_not_overlap():
    weeks = [f"v. {week}/2026" for week in range(40, 54)]  # 14 weeks: 50 units each
    svg = charts.stacked_bars("c", "t", "d", weeks, [("a", "A")],
                              {(index, "a"): 1 for index in range(len(weeks))})
    shown = x_label_texts(svg)
    assert shown[0] == "v. 40/2026"
    assert len(shown) < len(weeks)
    slot = (charts.WIDTH - charts.LEFT - charts.RIGHT) / len(weeks)
    every = weeks.index(shown[1]) - weeks.index(shown[0])
    assert every * slot >= len("v. 40/2026") * charts.CHAR_WIDTH  # room for each label


def test_short_labels_are_all_shown_when_they_fit():
    months = ["1/26", "2/26", "3/26", "4/26"]
    svg = charts.line("c", "t", "d", months, [1, 2, 3, 4])
    assert x_label_texts(svg) == months


def test_a_long_row_label_drops_its_group_then_is_cut():
    assert charts.fitted("Boende › Byggnadstillsyn och tillstånd", 30) == \
        "Byggnadstillsyn och tillstånd"
    assert charts.fitted("Asuminen › Asumisneuvonta ja asumisen tuki", 20) == \
        "Asumisneuvonta ja a…"
    assert charts.fitted("Liikenne › Katuvalaistus", 30) == "Liikenne › Katuvalaistus"


def test_row_labels_stay_inside_the_chart_and_the_tooltip_keeps_them_whole():
    label = "Trafik › Trafiksäkerhet och skolvägar för barn och unga"
    svg = str(charts.horizontal_bars("h", "t", "d", [(label, {"m": 3}, 5)], [("m", "Median")]))
    row_label = re.search(r'text-anchor="end">([^<]+)</text>', svg).group(1)
    assert len(row_label) * charts.CHAR_WIDTH <= 220 - 8
    assert f"<title>{label}, Median: 3</title>" in svg
