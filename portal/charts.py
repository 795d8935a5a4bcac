"""The DSR trend chart: three lines (one per dimension) on a 1-5 star scale, drawn as SVG.

The manager app's charts (``web.charts``) draw one series from zero up, which is right for
inquiries (the portal uses its bar chart for them) but flattens a DSR: every shop sits between
4 and 5 stars, and a move from 4.72 to 4.81 is what owners look for. This chart draws the three
dimensions together on an axis that starts at the nearest half star below the lowest point.

Like ``web.charts`` it is inline SVG with a ``<title>``/``<desc>``, a ``<title>`` per point and
CSS classes for colours (portal/static/portal/portal.css); lines differ by dash pattern too, so
colour is never the only signal. A week without counted ratings leaves a gap in its line.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from portal.templatetags.portal_tags import ratio

WIDTH = 640
HEIGHT = 240
PAD_LEFT = 44
PAD_RIGHT = 12
PAD_TOP = 12
PAD_BOTTOM = 36
TOP = 5.0
STEP = 0.5


@dataclass(frozen=True)
class Series:
    css: str
    """``dsr-description``, ``dsr-service`` or ``dsr-logistics`` (colour and dash pattern)."""
    name: str
    values: Sequence[Decimal | None]
    texts: Sequence[str]
    """Each value as it reads in the tooltip (formatted for the locale)."""


def _axis_floor(values: Sequence[float]) -> float:
    lowest = min(values, default=TOP - 1)
    floor = math.floor(lowest / STEP) * STEP
    return max(1.0, min(floor, TOP - 1))


def dsr_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    chart_id: str,
    title: str,
    description: str,
) -> SafeString:
    """A line per series over ``labels`` (oldest first); None values leave gaps."""
    known = [float(value) for item in series for value in item.values if value is not None]
    low = _axis_floor(known)
    plot_width = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    count = len(labels)

    def x_of(index: int) -> float:
        return PAD_LEFT + (plot_width * index / (count - 1) if count > 1 else plot_width / 2)

    def y_of(value: float) -> float:
        return PAD_TOP + plot_height - plot_height * (value - low) / (TOP - low)

    parts = [
        f'<svg class="chart dsr-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]
    steps = round((TOP - low) / STEP)
    for index in range(steps + 1):
        value = low + STEP * index
        y = y_of(value)
        parts.append(
            f'<line class="chart-grid" x1="{PAD_LEFT}" y1="{y:.1f}" '
            f'x2="{WIDTH - PAD_RIGHT}" y2="{y:.1f}"/>'
            f'<text class="chart-axis" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" '
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
        for index in shown:
            parts.append(
                f'<text class="chart-axis" x="{x_of(index):.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" '
                f'text-anchor="middle">{escape(labels[index])}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def short_day(day) -> str:
    return f"{day.month}/{day.day}"


def dsr_trend_chart(trend):
    labels = [short_day(point.as_of) for point in trend]
    series = [
        Series(
            css=f"dsr-{dimension}",
            name=name,
            values=[getattr(point, dimension) for point in trend],
            texts=[ratio(getattr(point, dimension)) for point in trend],
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
