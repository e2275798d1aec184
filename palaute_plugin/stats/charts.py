"""Server-rendered SVG charts: no JavaScript, no library, nothing from elsewhere.

Each function returns safe SVG markup (labels escaped with ``format_html``); the
report places a table with the same numbers beside every chart, so the chart is
``role="img"`` with a title and a short description only.
"""

import math

from django.utils.html import format_html, format_html_join

#: Colours with at least 3:1 contrast against white (WCAG 1.4.11), in series order.
PALETTE = ["#1f5f99", "#c75000", "#2e7d32", "#7b1fa2", "#b00040", "#00796b", "#5d4037",
           "#455a64", "#8a6d00", "#0b7285", "#ad1457", "#33691e"]
WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 48
MAX_X_LABELS = 14
#: A tick label's character at most this wide in the chart's units (the admin's font): the
#: x axis shows every n-th label so that they do not run into each other ("v. 40/202641/…"
#: by week), and a row's label is shortened to its width.
CHAR_WIDTH = 8


def join(parts):
    """Concatenate already safe SVG fragments (each made by ``format_html``)."""
    return format_html_join("", "{}", ((part,) for part in parts))


def num(value):
    """A coordinate with one decimal (``format_html`` escapes its arguments to text)."""
    return f"{value:.1f}"


def colour(index):
    return PALETTE[index % len(PALETTE)]


def nice_max(value):
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _svg(chart_id, title, description, body, height=HEIGHT):
    return format_html(
        '<svg class="palaute-chart" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH, height, chart_id, chart_id, chart_id, title, chart_id, description, body)


def tick_steps(maximum):
    """How many steps the axis has: whole numbers at each tick where possible."""
    for steps in (5, 4, 2):
        if maximum % steps == 0:
            return steps
    return 1


def _y_axis(maximum, plot_height):
    ticks, steps = [], tick_steps(maximum)
    for step in range(steps + 1):
        value = maximum * step / steps
        y = TOP + plot_height - plot_height * step / steps
        label = f"{value:g}"
        ticks.append(format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/>'
            '<text x="{}" y="{}" class="tick" text-anchor="end">{}</text>',
            LEFT, WIDTH - RIGHT, num(y), num(y), LEFT - 6, num(y + 4), label))
    return join(ticks)


def _x_labels(labels, slot, plot_height):
    longest = max((len(str(label)) for label in labels), default=0)
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS),
                math.ceil((longest * CHAR_WIDTH + 8) / max(slot, 1)))
    template = '<text x="{}" y="{}" class="tick" text-anchor="middle">{}</text>'
    return format_html_join("", template, (
        (num(LEFT + slot * (index + 0.5)), TOP + plot_height + 18, label)
        for index, label in enumerate(labels) if index % every == 0))


def stacked_bars(chart_id, title, description, x_labels, series, values):
    """Bars per x label, stacked by series: ``series`` = [(key, label)],
    ``values`` = {(x index, key): number}."""
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT
    totals = [sum(values.get((index, key), 0) for key, _label in series)
              for index in range(len(x_labels))]
    maximum = nice_max(max(totals, default=0))
    slot = plot_width / max(1, len(x_labels))
    bar_width = max(1.0, slot * 0.7)
    bars = []
    for index in range(len(x_labels)):
        base = 0
        for series_index, (key, label) in enumerate(series):
            value = values.get((index, key), 0)
            if not value:
                continue
            height = plot_height * value / maximum
            y = TOP + plot_height - plot_height * (base + value) / maximum
            bars.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                '<title>{}: {} {}</title></rect>',
                num(LEFT + slot * index + (slot - bar_width) / 2), num(y), num(bar_width),
                num(height),
                colour(series_index), x_labels[index], label, value))
            base += value
    body = join([_y_axis(maximum, plot_height), *bars, _x_labels(x_labels, slot, plot_height)])
    return _svg(chart_id, title, description, body)


def line(chart_id, title, description, x_labels, values):
    """One line through ``values`` (numbers, one per x label), with points."""
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT
    maximum = nice_max(max(values, default=0))
    slot = plot_width / max(1, len(x_labels))
    points = [(LEFT + slot * (index + 0.5), TOP + plot_height - plot_height * value / maximum)
              for index, value in enumerate(values)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dots = format_html_join("", '<circle cx="{}" cy="{}" r="3.5" fill="{}">'
                            '<title>{}: {}</title></circle>',
                            ((num(x), num(y), PALETTE[0], label, value) for (x, y), label, value
                             in zip(points, x_labels, values, strict=True)))
    body = join([
        _y_axis(maximum, plot_height),
        format_html('<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>',
                    path, PALETTE[0]),
        dots, _x_labels(x_labels, slot, plot_height)])
    return _svg(chart_id, title, description, body)


def fitted(label, chars):
    """``label`` within ``chars`` characters: a topic's group ("Boende › ") goes first, then
    the end is cut with "…" (the bars' tooltips and the table beside the chart have it
    whole; the label ran out of the chart on the left: "ende › Byggnadstillsyn…")."""
    label = str(label)
    if len(label) > chars and " › " in label:
        label = label.rsplit(" › ", 1)[1]
    if len(label) > chars:
        label = label[:max(chars - 1, 1)].rstrip() + "…"
    return label


def horizontal_bars(chart_id, title, description, rows, series):
    """Bars per row label, side by side per series, with an optional marker per row:
    ``rows`` = [(label, {series key: number or None}, marker or None)],
    ``series`` = [(key, label)]. The marker (e.g. the expected days) is a dark tick."""
    label_width, row_height, bar_height = 220, 14 * len(series) + 14, 12
    height = TOP + BOTTOM // 2 + row_height * max(1, len(rows))
    plot_width = WIDTH - label_width - RIGHT
    numbers = [value for _label, values, marker in rows
               for value in [*values.values(), marker] if value is not None]
    maximum = nice_max(max(numbers, default=0))
    parts = []
    for row_index, (label, values, marker) in enumerate(rows):
        top = TOP + row_index * row_height
        parts.append(format_html(
            '<text x="{}" y="{}" class="tick" text-anchor="end">{}</text>',
            label_width - 8, num(top + row_height / 2),
            fitted(label, (label_width - 16) // CHAR_WIDTH)))
        for series_index, (key, series_label) in enumerate(series):
            value = values.get(key)
            if value is None:
                continue
            parts.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                '<title>{}, {}: {}</title></rect>',
                label_width, num(top + 6 + series_index * 14), num(plot_width * value / maximum),
                bar_height, colour(series_index), label, series_label, value))
        if marker is not None:
            x = label_width + plot_width * marker / maximum
            parts.append(format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" class="marker"/>',
                num(x), num(x), num(top + 2), num(top + row_height - 2)))
    parts.append(format_html(
        '<text x="{}" y="{}" class="tick">0</text>'
        '<text x="{}" y="{}" class="tick" text-anchor="end">{}</text>',
        label_width, height - 6, WIDTH - RIGHT, height - 6, maximum))
    return _svg(chart_id, title, description, join(parts), height=height)
