"""One rule per language for dates and numbers (``agency/formats``), used everywhere: dates
2026-11-30 in both languages, months November 2026 / 2026年11月, moments 2026-11-30 17:05 in
Shanghai time, money 1,234.56. Templates go through the rule: none hard-codes a date format."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from agency.charts import short_day
from agency.formatting import date_text, localise, moment_text, money_text, month_text

ROOT = Path(settings.BASE_DIR)
DAY = dt.date(2026, 11, 30)
# 09:05 UTC is 17:05 in Shanghai.
MOMENT = dt.datetime(2026, 11, 30, 9, 5, tzinfo=dt.UTC)
RULE = {
    "en": ("2026-11-30", "November 2026", "2026-11-30 17:05", "1,234.56"),
    "zh-hans": ("2026-11-30", "2026年11月", "2026-11-30 17:05", "1,234.56"),
}


@pytest.mark.parametrize("language", sorted(RULE))
def test_one_rule_per_language_for_dates_months_moments_and_money(language):
    with translation.override(language):
        written = (
            date_text(DAY),
            month_text(DAY),
            moment_text(MOMENT),
            localise(money_text(Decimal("1234.555"))),
        )
    assert written == RULE[language]


@pytest.mark.parametrize("language", sorted(RULE))
def test_templates_date_without_a_format_and_a_bare_date_follow_the_rule(language):
    template = Template(
        "{{ day|date }} · {{ day }} · {{ moment }} · {{ month|date:'YEAR_MONTH_FORMAT' }}"
    )
    with translation.override(language):
        text = template.render(Context({"day": DAY, "moment": MOMENT, "month": DAY}))
    date, month, moment = RULE[language][0], RULE[language][1], RULE[language][2]
    assert text == f"{date} · {date} · {moment} · {month}"


@pytest.mark.parametrize("language", sorted(RULE))
def test_chart_axes_write_days_the_same_way_in_both_apps(language):
    with translation.override(language):
        assert short_day(dt.date(2026, 10, 5)) == "10-05"


def _templates() -> list[Path]:
    skip = {".venv", ".tools", "node_modules", "staticfiles"}
    return [
        path
        for pattern in ("*.html", "*.txt")
        for path in ROOT.rglob(pattern)
        if not skip & set(path.relative_to(ROOT).parts) and "templates" in path.parts
    ]


# A named format of the rule is fine; a hand-written one ("Y-m-d", "N j, Y") is not.
HARD_CODED_DATE = re.compile(r"\|date:\s*[\"'](?![A-Z_]+_FORMAT[\"'])[^\"']*[\"']")


def test_no_template_hard_codes_a_date_format():
    templates = _templates()
    assert len(templates) > 30, "the scan finds the project's templates"
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in templates
        for match in HARD_CODED_DATE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders


def test_a_year_of_named_months_on_a_chart_shows_every_other_label():
    from agency.charts import Point, bar_chart

    months = [dt.date(2025 + (m > 12), (m - 1) % 12 + 1, 1) for m in range(11, 23)]
    with translation.override("en"):
        labels = [month_text(month) for month in months]
        svg = bar_chart(
            [Point(label, 1) for label in labels],
            chart_id="c",
            title="t",
            description="d",
            most_labels=6,
        )
    shown = re.findall(r'text-anchor="middle">([^<]+)</text>', svg)
    assert len(shown) == 6 and shown[0] == "November 2025" and shown[-1] == "October 2026"


def test_the_latest_day_on_the_dsr_chart_ends_inside_the_chart():
    from agency.charts import dsr_chart

    svg = dsr_chart(["10-05", "10-12"], [], chart_id="c", title="t", description="d")
    assert 'text-anchor="end">10-12</text>' in svg
