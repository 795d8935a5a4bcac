"""Money is rounded half-up to 0.01, in every app (DOMAIN.md, billing rules)."""

from decimal import Decimal

import pytest

from agency.money import round_money

D = Decimal


# --- Money is rounded half-up to 0.01 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("0.005", "0.01", id="half-cent-rounds-up-not-to-even"),
        pytest.param("0.015", "0.02", id="half-cent-after-odd-cent-rounds-up"),
        pytest.param("0.025", "0.03", id="half-cent-after-even-cent-rounds-up"),
        pytest.param("0.0049", "0.00", id="below-half-cent-rounds-down"),
        pytest.param("1016.129032", "1016.13", id="proration-example"),
        pytest.param("-0.005", "-0.01", id="negative-half-cent-rounds-away-from-zero"),
        pytest.param("1500", "1500.00", id="whole-amount-gets-two-places"),
    ],
)
def test_money_is_rounded_half_up_to_cents(value: str, expected: str) -> None:
    result = round_money(D(value))
    assert result == D(expected)
    assert result.as_tuple().exponent == -2
