"""Figures read the same on the invoice, in emails, on the manager pages and in the portal."""

from decimal import Decimal

import pytest
from django.utils import translation

from agency.formatting import (
    count_text,
    fixed_text,
    localise,
    money_or_dash,
    money_text,
    percent_text,
    rate_text,
    ratio_text,
)
from portal.templatetags import portal_tags
from web.templatetags import web_tags

D = Decimal


def test_money_is_half_up_to_cents_and_grouped():
    assert money_text(D("1016.125")) == "1,016.13"
    assert money_text(D("0.005")) == "0.01"  # not banker's rounding
    assert money_text(D("1500")) == "1,500.00"
    assert money_text(D("-4000")) == "-4,000.00"


@pytest.mark.parametrize("nothing", [None, "", "abc", "NaN", "Infinity", True])
def test_nothing_to_show_is_a_dash(nothing):
    for write in (money_or_dash, count_text, ratio_text, percent_text, rate_text):
        assert write(nothing) == "–"
    assert fixed_text(nothing, 1) == "–"


def test_counts_ratios_percentages_and_rates():
    assert count_text(12345) == "12,345"
    assert count_text("2.5") == "3"  # half-up
    assert ratio_text("1.255") == "1.26"
    assert fixed_text("1234.567", 1) == "1,234.6"
    assert percent_text("0.7235") == "72.4%"
    assert percent_text(D("0.5"), 0) == "50%"
    assert rate_text(D("0.0300")) == "3%"
    assert rate_text(D("0.025")) == "2.5%"
    assert rate_text(D("0.1")) == "10%"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_both_interfaces_write_the_same_figures_in_both_languages(language):
    values = [None, "1016.125", D("-4000"), 12345, "0.7235", "1.255", D("0.025")]
    with translation.override(language):
        assert localise("1,234.50") == "1,234.50"
        for value in values:
            for name in ("money", "count", "percent", "ratio"):
                assert getattr(portal_tags, name)(value) == getattr(web_tags, name)(value)
            assert portal_tags.rate(value) == rate_text(value)
