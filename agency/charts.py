"""Small server-side SVG charts: no JavaScript, nothing inline that a strict CSP would block.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (read by screen
readers), a ``<title>`` per bar or point (shown as a tooltip), and CSS classes for colours
(static/css/app.css, portal/static/portal/portal.css), so it prints and scales with the page.
Pages show the same figures in a table next to the chart for people who cannot see it.

Charts are presentation and know no app: the manager app and the portal both draw with them.
``line_chart`` and ``bar_chart`` draw one series from zero up; the DSR chart draws three series
on a star scale (see its section).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from agency.formatting import localise, ratio_text, short_day_text

WIDTH = 640
HEIGHT = 220
PAD_LEFT = 56
PAD_RIGHT = 24
PAD_TOP = 12
PAD_BOTTOM = 36
GRID_LINES = 4


@dataclass(frozen=True)
class Point:
    label: str
    value: Decimal | int
    text: str = ""
    """How the value reads in the tooltip (formatted for the locale); defaults to the value."""


def _nice_step(span: float) -> float:
    """A round grid step (1, 2, 2.5 or 5 times a power of ten) giving about 4 lines."""
    raw = span / GRID_LINES if span > 0 else 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _axis(values: Sequence[float]) -> tuple[float, float, float]:
    """(low, high, step) of a value axis that includes zero and every value, on round numbers."""
    low = min([*values, 0.0])
    high = max([*values, 0.0])
    if high == low:
        high = low + GRID_LINES
    step = _nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    return low, high, step


def _axis_text(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:,.1f}"


def _open(chart_id: str, title: str, description: str) -> list[str]:
    return [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]


def _grid(low: float, high: float, step: float) -> list[str]:
    parts = []
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    lines = round((high - low) / step)
    for index in range(lines + 1):
        value = low + step * index
        y = PAD_TOP + plot_height - plot_height * index / lines
        parts.append(
            f'<line class="chart-grid" x1="{PAD_LEFT}" y1="{y:.1f}" '
            f'x2="{WIDTH - PAD_RIGHT}" y2="{y:.1f}"/>'
            f'<text class="chart-axis" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{escape(_axis_text(value))}</text>'
        )
    return parts


def _x_labels(labels: Sequence[str], centres: Sequence[float], most: int = 8) -> list[str]:
    """At most about ``most`` labels under the axis, evenly spread, the first and last always."""
    if not labels:
        return []
    last = len(labels) - 1
    step = max(1, -(-len(labels) // most))
    shown = list(range(0, len(labels), step))
    if shown[-1] != last:
        # The last label replaces its neighbour when they would overlap.
        if last - shown[-1] < step and len(shown) > 1:
            shown[-1] = last
        else:
            shown.append(last)
    return [
        f'<text class="chart-axis" x="{centres[i]:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" '
        f'text-anchor="middle">{escape(labels[i])}</text>'
        for i in shown
    ]


def line_chart(
    points: Sequence[Point], *, chart_id: str, title: str, description: str
) -> SafeString:
    """A line over ``points`` (oldest first) from zero up, with a dot per point."""
    parts = _open(chart_id, title, description)
    values = [float(point.value) for point in points]
    low, high, step = _axis(values)
    plot_width = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    parts += _grid(low, high, step)
    count = len(points)
    xs = [
        PAD_LEFT + (plot_width * i / (count - 1) if count > 1 else plot_width / 2)
        for i in range(count)
    ]
    ys = [PAD_TOP + plot_height - plot_height * (value - low) / (high - low) for value in values]
    if count > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
        parts.append(f'<polyline class="chart-line" points="{path}"/>')
    for point, x, y in zip(points, xs, ys, strict=True):
        text = point.text or str(point.value)
        parts.append(
            f'<circle class="chart-dot" cx="{x:.1f}" cy="{y:.1f}" r="3">'
            f"<title>{escape(point.label)}: {escape(text)}</title></circle>"
        )
    parts += _x_labels([point.label for point in points], xs)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def bar_chart(
    points: Sequence[Point],
    *,
    chart_id: str,
    title: str,
    description: str,
    most_labels: int = 16,
) -> SafeString:
    """One bar per point; negative values hang below the zero line (class ``chart-bar-neg``).

    At most about ``most_labels`` labels under the axis: months by the rule ("September 2026")
    need about two bars' width each.
    """
    parts = _open(chart_id, title, description)
    values = [float(point.value) for point in points]
    low, high, step = _axis(values)
    plot_width = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    parts += _grid(low, high, step)

    def y_of(value: float) -> float:
        return PAD_TOP + plot_height - plot_height * (value - low) / (high - low)

    count = max(len(points), 1)
    slot = plot_width / count
    bar_width = max(2.0, slot * 0.7)
    zero = y_of(0.0)
    centres = []
    for index, (point, value) in enumerate(zip(points, values, strict=True)):
        centre = PAD_LEFT + slot * index + slot / 2
        centres.append(centre)
        top = min(y_of(value), zero)
        height = max(abs(y_of(value) - zero), 1.0 if value else 0.0)
        css = "chart-bar-neg" if value < 0 else "chart-bar"
        text = point.text or str(point.value)
        parts.append(
            f'<rect class="{css}" x="{centre - bar_width / 2:.1f}" y="{top:.1f}" '
            f'width="{bar_width:.1f}" height="{height:.1f}">'
            f"<title>{escape(point.label)}: {escape(text)}</title></rect>"
        )
    parts.append(
        f'<line class="chart-zero" x1="{PAD_LEFT}" y1="{zero:.1f}" '
        f'x2="{WIDTH - PAD_RIGHT}" y2="{zero:.1f}"/>'
    )
    parts += _x_labels([point.label for point in points], centres, most=most_labels)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


# --- The DSR trend chart ----------------------------------------------------------------------
# Three lines (one per dimension) on a 1-5 star scale. A chart from zero up is right for
# inquiries but flattens a DSR: every shop sits between 4 and 5 stars, and a move from 4.72 to
# 4.81 is what owners look for. So the axis starts at the nearest half star below the lowest
# point. Lines differ by dash pattern too, so colour is never the only signal; a week without
# counted ratings leaves a gap in its line.

DSR_HEIGHT = 240  # width, top and bottom padding as the other charts
DSR_PAD_LEFT = 44
DSR_PAD_RIGHT = 12
DSR_TOP = 5.0  # stars
DSR_STEP = 0.5


@dataclass(frozen=True)
class DsrSeries:
    css: str
    """``dsr-description``, ``dsr-service`` or ``dsr-logistics`` (colour and dash pattern)."""
    name: str
    values: Sequence[Decimal | None]
    texts: Sequence[str]
    """Each value as it reads in the tooltip (formatted for the locale)."""


def _axis_floor(values: Sequence[float]) -> float:
    lowest = min(values, default=DSR_TOP - 1)
    floor = math.floor(lowest / DSR_STEP) * DSR_STEP
    return max(1.0, min(floor, DSR_TOP - 1))


def dsr_chart(
    labels: Sequence[str],
    series: Sequence[DsrSeries],
    *,
    chart_id: str,
    title: str,
    description: str,
) -> SafeString:
    """A line per series over ``labels`` (oldest first); None values leave gaps."""
    known = [float(value) for item in series for value in item.values if value is not None]
    low = _axis_floor(known)
    plot_width = WIDTH - DSR_PAD_LEFT - DSR_PAD_RIGHT
    plot_height = DSR_HEIGHT - PAD_TOP - PAD_BOTTOM
    count = len(labels)

    def x_of(index: int) -> float:
        return DSR_PAD_LEFT + (plot_width * index / (count - 1) if count > 1 else plot_width / 2)

    def y_of(value: float) -> float:
        return PAD_TOP + plot_height - plot_height * (value - low) / (DSR_TOP - low)

    parts = [
        f'<svg class="chart dsr-chart" viewBox="0 0 {WIDTH} {DSR_HEIGHT}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]
    steps = round((DSR_TOP - low) / DSR_STEP)
    for index in range(steps + 1):
        value = low + DSR_STEP * index
        y = y_of(value)
        parts.append(
            f'<line class="chart-grid" x1="{DSR_PAD_LEFT}" y1="{y:.1f}" '
            f'x2="{WIDTH - DSR_PAD_RIGHT}" y2="{y:.1f}"/>'
            f'<text class="chart-axis" x="{DSR_PAD_LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{value:.1f}</text>'
        )
    for item in series:
        runs: list[list[tuple[float, float]]] = [[]]
        for index, value in enumerate(item.values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append((x_of(index), y_of(float(value))))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(f'<polyline class="dsr-line {escape(item.css)}" points="{points}"/>')
        for index, value in enumerate(item.values):
            if value is None:
                continue
            parts.append(
                f'<circle class="dsr-dot {escape(item.css)}" cx="{x_of(index):.1f}" '
                f'cy="{y_of(float(value)):.1f}" r="2.5"><title>{escape(labels[index])} · '
                f"{escape(item.name)}: {escape(item.texts[index])}</title></circle>"
            )
    if labels:
        step = max(1, -(-len(labels) // 7))
        shown = list(range(0, len(labels), step))
        # Always label the latest point (today); drop the label before it if they would touch.
        if shown[-1] != len(labels) - 1:
            if len(labels) - 1 - shown[-1] < step and len(shown) > 1:
                shown.pop()
            shown.append(len(labels) - 1)
        baseline = DSR_HEIGHT - PAD_BOTTOM + 16
        for index in shown:
            # The latest label ends at its point: centred, it would run past the chart's edge.
            anchor = "end" if index == len(labels) - 1 and index > 0 else "middle"
            parts.append(
                f'<text class="chart-axis" x="{x_of(index):.1f}" y="{baseline}" '
                f'text-anchor="{anchor}">{escape(labels[index])}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def short_day(day: date) -> str:
    """A day on a chart's axis by the language's rule (10-05), as the manager app's charts."""
    return short_day_text(day)


def dsr_trend_chart(trend):
    labels = [short_day(point.as_of) for point in trend]
    series = [
        DsrSeries(
            css=f"dsr-{dimension}",
            name=name,
            values=[getattr(point, dimension) for point in trend],
            texts=[localise(ratio_text(getattr(point, dimension))) for point in trend],
        )
        for dimension, name in (
            ("description", _("Description match")),
            ("service", _("Service attitude")),
            ("logistics", _("Logistics service")),
        )
    ]
    return dsr_chart(
        labels,
        series,
        chart_id="dsr-chart",
        title=_("DSR over the last 180 days, week by week"),
        description=_(
            "Each point is the shop's DSR on that date, over the 180 days before it; the "
            "figures are in the table below."
        ),
    )
