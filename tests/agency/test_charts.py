"""Server-side SVG charts: accessible, escaped, and honest about negative values."""

from decimal import Decimal

from agency.charts import DsrSeries, Point, bar_chart, dsr_chart, line_chart


def test_a_line_chart_has_a_title_a_description_and_a_tooltip_per_point():
    svg = line_chart(
        [Point("10-01", 5, "5"), Point("10-02", 12, "12")],
        chart_id="c",
        title="Inquiries",
        description="Per day",
    )
    assert svg.startswith('<svg class="chart"') and 'role="img"' in svg
    assert 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">Inquiries</title><desc id="c-desc">Per day</desc>' in svg
    assert svg.count("<circle") == 2 and "<title>10-02: 12</title>" in svg
    assert "<polyline" in svg


def test_text_is_escaped():
    svg = bar_chart([Point("<b>S1</b>", 1)], chart_id="x", title="A & B", description='say "hi"')
    assert "<b>" not in svg
    assert "&lt;b&gt;S1&lt;/b&gt;" in svg and "A &amp; B" in svg


def test_negative_bars_hang_below_zero_in_their_own_colour():
    svg = bar_chart(
        [Point("S1", Decimal("2500.00")), Point("S2", Decimal("-4000.00"))],
        chart_id="m",
        title="Margin",
        description="Per seat",
    )
    assert svg.count('class="chart-bar"') == 1
    assert svg.count('class="chart-bar-neg"') == 1
    assert ">-4,000<" in svg and ">4,000<" in svg  # round numbers around every value


def test_empty_and_flat_series_still_draw():
    assert "<svg" in line_chart([], chart_id="e", title="t", description="d")
    assert "<svg" in line_chart(
        [Point(str(n), 0) for n in range(30)], chart_id="z", title="t", description="d"
    )
    assert "<svg" in bar_chart([], chart_id="b", title="t", description="d")


def test_at_most_about_8_labels_under_a_30_day_line():
    svg = line_chart(
        [Point(f"d{n}", n) for n in range(30)], chart_id="l", title="t", description="d"
    )
    labels = [label for label in (f"d{n}" for n in range(30)) if f">{label}<" in svg]
    assert labels[0] == "d0" and labels[-1] == "d29"
    assert len(labels) <= 9


def test_the_dsr_chart_starts_at_the_half_star_below_the_lowest_point_and_leaves_gaps():
    svg = dsr_chart(
        ["10/1", "10/8", "10/15"],
        [
            DsrSeries(
                "dsr-service",
                "Service",
                [Decimal("4.72"), None, Decimal("4.81")],
                ["4.72", "", "4.81"],
            ),
            DsrSeries(
                "dsr-logistics",
                "Logistics",
                [Decimal("3.7"), Decimal("4.2"), Decimal("4.9")],
                ["3.70", "4.20", "4.90"],
            ),
        ],
        chart_id="dsr",
        title="DSR",
        description="Weekly",
    )
    assert svg.startswith('<svg class="chart dsr-chart"')
    assert ">3.5</text>" in svg and ">3.0</text>" not in svg  # the axis floor
    assert ">5.0</text>" in svg
    assert svg.count('class="dsr-line dsr-service"') == 0  # two single points: no line to draw
    assert svg.count('class="dsr-line dsr-logistics"') == 1
    assert svg.count('class="dsr-dot dsr-service"') == 2
    assert "<title>10/15 · Service: 4.81</title>" in svg
