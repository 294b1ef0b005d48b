"""Small bar charts drawn on the server as inline SVG, for pages people would rather look
at than read.

Written by hand rather than taken from PyPI: the well-kept library that draws SVG charts
in pure Python (pygal) adds its own JavaScript (tooltips) and stylesheet to each chart and
gives the SVG no role or accessible name, so its output would have to be rewritten
afterwards; the small ones (leather and the like) have no accessibility hooks either and
are little maintained. Two kinds of bar chart are all SHaRON needs, and they fit here.

Every chart is a picture with a name (role="img", labelled by its <title>) and is meant
to stand beside a real <table> with the same numbers: screen readers read the table, and
nobody has to make out a value from a bar's length, because each bar has its number
written on it. All text is escaped; the colours are the NHS palette's, each at least
4.5:1 against white, and bars are kept apart by white space so that each meets 3:1 against
what it touches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

BLUE = "#005eb8"
PURPLE = "#330072"
RED = "#d5281b"
GREEN = "#007f3b"
TEXT = "#212b32"
# A faint rule under the bars: decoration only (the numbers are written on the bars).
RULE = "#768692"

_FONT = 16  # px in the chart's own units; the SVG scales with the page
_CHAR = 9.5  # a generous width of one character at _FONT, for laying out labels


@dataclass(frozen=True)
class Series:
    """One set of bars: what it counts, its numbers (one per label) and its colour."""

    name: str
    values: tuple[int, ...]
    colour: str = BLUE


def _number(value: int) -> str:
    return f"{value:,}"


def _open(chart_id: str, title: str, width: int, height: int) -> Markup:
    return Markup('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
                  'aria-labelledby="{0}-title" viewBox="0 0 {1} {2}" width="{1}" '
                  'height="{2}" font-size="{3}" fill="{4}">'
                  '<title id="{0}-title">{5}</title>').format(
        chart_id, width, height, _FONT, TEXT, title)


def bars(chart_id: str, title: str, items: Sequence[tuple[str, int]],
         colour: str = BLUE) -> Markup:
    """A horizontal bar for each (label, number), the number written at the bar's end:
    for a few categories whose names are too long to sit under a column."""
    label_width = int(max((len(label) for label, _ in items), default=0) * _CHAR) + 12
    bar_room, row, top = 300, 34, 8
    width = label_width + bar_room + 60
    height = top * 2 + row * len(items)
    most = max((value for _, value in items), default=0) or 1
    parts = [_open(chart_id, title, width, height)]
    for index, (label, value) in enumerate(items):
        y = top + index * row
        length = round(bar_room * value / most)
        parts.append(Markup(
            '<text x="{0}" y="{1}" text-anchor="end">{2}</text>'
            '<rect x="{3}" y="{4}" width="{5}" height="{6}" fill="{7}"/>'
            '<text x="{8}" y="{1}" font-weight="bold">{9}</text>').format(
            label_width - 8, y + row // 2 + 5, label, label_width, y + 4, length, row - 8,
            colour, label_width + length + 6, _number(value)))
    parts.append(Markup('<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}"/>').format(
        label_width, top, height - top, RULE))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def columns(chart_id: str, title: str, labels: Sequence[str],
            series: Sequence[Series]) -> Markup:
    """Columns for each label (a week, say), one per series side by side, each with its
    number above it; a legend names the series when there is more than one."""
    per_group = max(len(series), 1)
    bar, gap = 26, 4
    group = per_group * bar + (per_group - 1) * gap + 18
    label_chars = max((len(label) for label in labels), default=0)
    group = max(group, int(label_chars * _CHAR) + 16)
    left, legend = 8, (28 if len(series) > 1 else 0)
    plot_top, plot_height = legend + 24, 160
    width = left * 2 + group * len(labels)
    height = plot_top + plot_height + 30
    baseline = plot_top + plot_height
    most = max((v for s in series for v in s.values), default=0) or 1
    parts = [_open(chart_id, title, max(width, 200), height)]
    if len(series) > 1:
        x = left
        for one in series:
            parts.append(Markup(
                '<rect x="{0}" y="6" width="14" height="14" fill="{1}"/>'
                '<text x="{2}" y="18">{3}</text>').format(x, one.colour, x + 20, one.name))
            x += 20 + int(len(one.name) * _CHAR) + 24
    for index, label in enumerate(labels):
        x0 = left + index * group + (group - (per_group * bar + (per_group - 1) * gap)) // 2
        for position, one in enumerate(series):
            value = one.values[index] if index < len(one.values) else 0
            length = round(plot_height * value / most)
            x = x0 + position * (bar + gap)
            parts.append(Markup(
                '<rect x="{0}" y="{1}" width="{2}" height="{3}" fill="{4}"/>'
                '<text x="{5}" y="{6}" text-anchor="middle" font-weight="bold">{7}</text>'
            ).format(x, baseline - length, bar, length, one.colour, x + bar // 2,
                     baseline - length - 6, _number(value)))
        parts.append(Markup('<text x="{0}" y="{1}" text-anchor="middle">{2}</text>').format(
            left + index * group + group // 2, baseline + 22, label))
    parts.append(Markup('<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{3}"/>').format(
        left, baseline, width - left, RULE))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
