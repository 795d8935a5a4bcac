"""Tiers see a shop's month once (DOMAIN.md, "Plans and prices", last paragraph).

When several commission contracts of a shop share a month (a renewal mid-month), their
attributed turnover goes through the tiers of the contract in force on the month's last service
day as one sum, and that commission is split between their lines by attributed turnover: a
renewal never raises the bill.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from agency.choices import Plan
from billing.calculations import (
    active_days,
    attributed_turnover,
    commission,
)
from billing.documents import commission_statement, explain_line
from billing.models import Invoice
from billing.services import bill_month
from billing.services.lines import BillableContract, ContractTermsError, invoice_figures
from shops.terms import DEFAULT_TIERS
from tests.billing.factories import DEFAULT_TIERS_JSON, NOVEMBER, confirmed_turnover
from tests.billing.factories import monthly_contract as stored_contract

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")
AFTER_NOVEMBER = dt.datetime(2026, 12, 5, 12, 0, tzinfo=SHANGHAI)
NEGOTIATED_TIERS = [{"from": "0.00", "rate": "0.0200"}, {"from": "200000.00", "rate": "0.0100"}]


def contract(contract_id, start, end=None, *, mode="graduated", tiers=None, plan="full_day"):
    return BillableContract(
        id=contract_id,
        shop_id=7,
        plan=plan,
        price=D("3000.00"),
        commission_mode=mode,
        commission_tiers=DEFAULT_TIERS_JSON if tiers is None else tiers,
        start_date=start,
        end_date=end,
    )


def commission_lines(contracts, turnover="300000.00", month=NOVEMBER):
    invoice = invoice_figures(shop_id=7, month=month, contracts=contracts, turnover=D(turnover))
    return [line for line in invoice.lines if line.kind == "commission"]


def renewal(first_tiers=None, second_tiers=None, *, first_mode="graduated", second_mode=None):
    """A full-day contract to 15 November and its renewal from the 16th (a 30-day month)."""
    return [
        contract(1, dt.date(2026, 1, 1), dt.date(2026, 11, 15), mode=first_mode, tiers=first_tiers),
        contract(2, dt.date(2026, 11, 16), mode=second_mode or first_mode, tiers=second_tiers),
    ]


# --- The month through the tiers once ---------------------------------------------------------


def test_a_renewal_mid_month_never_raises_the_commission():
    """300,000 graduated is 7,000 whether or not the contract was renewed (not 2 x 4,000)."""
    [unbroken] = commission_lines([contract(1, dt.date(2026, 1, 1))])
    first, second = commission_lines(renewal())

    assert unbroken.amount == D("7000.00")
    assert [first.amount, second.amount] == [D("3500.00"), D("3500.00")]
    assert first.amount + second.amount == unbroken.amount
    assert [first.contract_id, second.contract_id] == [1, 2]
    assert first.description == (
        "Turnover 300,000.00 x 15/30 = 150,000.00 of the month's 300,000.00:"
        " its share of the month's commission 7,000.00"
        " (tiers of the contract in force on 2026-11-30, graduated tiers)"
    )
    assert first.details == {
        "kind": "commission",
        "plan": "full_day",
        "turnover": "300000.00",
        "active_days": 15,
        "days_in_month": 30,
        "attributed_turnover": "150000.00",
        "mode": "graduated",
        "month_attributed_turnover": "300000.00",
        "share": "0.500000",
        "month_commission": "7000.00",
        "tiers_of_contract": 2,
        "tiers_in_force_on": "2026-11-30",
        "month_slices": [
            {
                "from": "0.00",
                "to": "100000.00",
                "rate": "0.0300",
                "amount": "100000.00",
                "commission": "3000.000000",
            },
            {
                "from": "100000.00",
                "to": "500000.00",
                "rate": "0.0200",
                "amount": "200000.00",
                "commission": "4000.000000",
            },
        ],
    }
    assert second.details["month_slices"] == first.details["month_slices"]
    # The single contract keeps its own explanation, without the month's figures.
    assert "month_commission" not in unbroken.details
    assert unbroken.description == "Turnover 300,000.00, graduated tiers"


def test_the_month_goes_through_the_tiers_of_the_contract_in_force_on_its_last_service_day():
    # Renewed on negotiated tiers: 200,000 x 2 % + 100,000 x 1 % = 5,000, not the default 7,000.
    first, second = commission_lines(renewal(second_tiers=NEGOTIATED_TIERS))
    assert [first.amount, second.amount] == [D("2500.00"), D("2500.00")]
    assert first.details["tiers_of_contract"] == second.details["tiers_of_contract"] == 2
    assert first.description.endswith(
        "(tiers of the contract in force on 2026-11-30, graduated tiers)"
    )
    assert [item["rate"] for item in first.details["month_slices"]] == ["0.0200", "0.0100"]

    # The other way round: the renewal's default tiers decide, not the first contract's.
    first, second = commission_lines(renewal(first_tiers=NEGOTIATED_TIERS))
    assert first.amount + second.amount == D("7000.00")
    assert first.details["tiers_of_contract"] == 2


def test_the_contract_in_force_on_the_last_service_day_is_not_simply_the_latest_started():
    """A contract for the whole month and a short one inside it: the month's last service day
    (the 30th) is the long contract's, so its tiers apply although the other started later."""
    whole = contract(1, dt.date(2026, 1, 1), dt.date(2026, 11, 30), tiers=NEGOTIATED_TIERS)
    inside = contract(2, dt.date(2026, 11, 11), dt.date(2026, 11, 20))
    lines = commission_lines([whole, inside])
    assert {line.details["tiers_of_contract"] for line in lines} == {1}
    assert sum(line.amount for line in lines) == D("5000.00")


def test_the_last_service_day_is_the_latest_active_day_when_no_contract_reaches_month_end():
    ended_first = contract(1, dt.date(2026, 1, 1), dt.date(2026, 11, 10), tiers=NEGOTIATED_TIERS)
    ended_last = contract(2, dt.date(2026, 11, 11), dt.date(2026, 11, 20))
    # 300,000 x 10/30 each: 200,000 through the default tiers of the contract ending on the 20th.
    lines = commission_lines([ended_first, ended_last])
    assert [line.details["attributed_turnover"] for line in lines] == ["100000.00", "100000.00"]
    assert {line.details["tiers_in_force_on"] for line in lines} == {"2026-11-20"}
    assert {line.details["tiers_of_contract"] for line in lines} == {2}
    assert [line.amount for line in lines] == [D("2500.00"), D("2500.00")]  # 3,000 + 2,000


def test_contracts_side_by_side_on_the_last_day_use_the_latest_started_then_the_highest_id():
    day = contract(1, dt.date(2026, 3, 1), tiers=NEGOTIATED_TIERS, plan="shift")
    night = contract(2, dt.date(2026, 6, 1), plan="shift")
    assert {line.details["tiers_of_contract"] for line in commission_lines([day, night])} == {2}
    assert {line.details["tiers_of_contract"] for line in commission_lines([night, day])} == {2}

    same_start = [
        contract(5, dt.date(2026, 6, 1), plan="shift"),
        contract(4, dt.date(2026, 6, 1), tiers=NEGOTIATED_TIERS, plan="shift"),
    ]
    lines = commission_lines(same_start)
    assert {line.details["tiers_of_contract"] for line in lines} == {5}
    # Each earns half of every day (150,000), the month's 300,000 goes through the tiers once.
    assert [line.amount for line in lines] == [D("3500.00"), D("3500.00")]


def test_flat_mode_of_the_contract_in_force_puts_the_months_sum_in_one_tier():
    """300,000 flat is 6,000 (2 % on all of it), split by attributed turnover."""
    first, second = commission_lines(renewal(first_mode="graduated", second_mode="flat"))
    assert [first.amount, second.amount] == [D("3000.00"), D("3000.00")]
    assert first.details["mode"] == "flat"
    assert first.description.endswith(
        "its share of the month's commission 6,000.00"
        " (tiers of the contract in force on 2026-11-30, whole turnover at one tier's rate)"
    )
    # The month decides the tier, not each half: 180,000 flat is 2 % (3,600, split 1,800 /
    # 1,800), where each 90,000 half on its own would have been in the 3 % tier.
    lines = commission_lines(renewal(first_mode="flat"), turnover="180000.00")
    assert [line.amount for line in lines] == [D("1800.00"), D("1800.00")]


def test_three_contracts_share_the_months_commission_to_the_cent_by_largest_remainder():
    """10 + 10 + 10 days: 7,000 / 3 = 2,333.333...; rounding each share would bill 6,999.99.
    The missing cent goes to the largest remainder, ties to the earlier line."""
    contracts = [
        contract(1, dt.date(2026, 1, 1), dt.date(2026, 11, 10)),
        contract(2, dt.date(2026, 11, 11), dt.date(2026, 11, 20)),
        contract(3, dt.date(2026, 11, 21)),
    ]
    lines = commission_lines(contracts)
    assert [line.amount for line in lines] == [D("2333.34"), D("2333.33"), D("2333.33")]
    assert sum(line.amount for line in lines) == D("7000.00")
    assert {line.details["share"] for line in lines} == {"0.333333"}

    # 2 + 14 + 14 days: rounding each share would bill 7,000.01; the two cents that the shares
    # rounded down leave go to the first two lines (equal remainders: line order).
    contracts = [
        contract(1, dt.date(2026, 1, 1), dt.date(2026, 11, 2)),
        contract(2, dt.date(2026, 11, 3), dt.date(2026, 11, 16)),
        contract(3, dt.date(2026, 11, 17)),
    ]
    lines = commission_lines(contracts)
    assert [line.amount for line in lines] == [D("466.67"), D("3266.67"), D("3266.66")]
    assert sum(line.amount for line in lines) == D("7000.00")


def test_no_turnover_shared_by_several_contracts_gives_zero_commission_lines():
    lines = commission_lines(renewal(), turnover="0.00")
    assert [line.amount for line in lines] == [D("0.00"), D("0.00")]
    assert {line.details["share"] for line in lines} == {"0.000000"}


def test_a_contract_whose_tiers_are_not_used_must_still_have_usable_tiers():
    broken = renewal(first_tiers=[{"from": "10", "rate": "0.03"}])
    with pytest.raises(ContractTermsError, match="Contract 1 .*first commission tier"):
        commission_lines(broken)


# No deadline: the first example loads the translation catalogue the stored descriptions are
# rendered with, which can take longer than Hypothesis's 200 ms on a busy machine.
@settings(deadline=None)
@given(
    first_days=st.integers(min_value=1, max_value=29),
    second_days=st.integers(min_value=0, max_value=29),
    turnover=st.decimals(min_value=0, max_value=10**8, places=2),
    modes=st.tuples(*[st.sampled_from(["graduated", "flat"])] * 3),
)
def test_the_lines_add_up_to_the_commission_of_the_months_attributed_turnover(
    first_days, second_days, turnover, modes
):
    """Up to three consecutive contracts in November: the commission lines always sum to the
    attributed turnover's sum through the last contract's tiers, in its mode."""
    starts = [dt.date(2026, 1, 1), NOVEMBER + dt.timedelta(days=first_days)]
    if first_days + second_days < 30 and second_days:
        starts.append(NOVEMBER + dt.timedelta(days=first_days + second_days))
    contracts = [
        contract(
            number,
            start,
            None if number == len(starts) else starts[number] - dt.timedelta(days=1),
            mode=modes[number - 1],
        )
        for number, start in enumerate(starts, start=1)
    ]
    lines = commission_lines(contracts, turnover=str(turnover))
    month_turnover = sum(
        (
            attributed_turnover(turnover, active_days(c.start_date, c.end_date, NOVEMBER), 30)
            for c in contracts
        ),
        D("0.00"),
    )
    expected = commission(month_turnover, DEFAULT_TIERS, contracts[-1].commission_mode)
    assert sum(line.amount for line in lines) == expected
    for line in lines:
        exact = expected * D(line.details["attributed_turnover"]) / (month_turnover or 1)
        assert abs(line.amount - exact) < D("0.01")


# --- Stored by a billing run, explained on the invoice ----------------------------------------


@pytest.mark.django_db
@time_machine.travel(AFTER_NOVEMBER, tick=False)
def test_a_billing_run_stores_the_months_commission_split_between_a_contract_and_its_renewal(
    shop_a,
):
    first = stored_contract(shop_a, start=dt.date(2026, 1, 1), end=dt.date(2026, 11, 15))
    renewed = stored_contract(shop_a, start=dt.date(2026, 11, 16), tiers=NEGOTIATED_TIERS)
    confirmed_turnover(shop_a, "300000.00", month=NOVEMBER)

    assert bill_month(month=NOVEMBER) == (1, 0)

    invoice = Invoice.objects.get(shop=shop_a, month=NOVEMBER)
    lines = list(invoice.lines.order_by("position"))
    assert [(line.kind, line.contract_id, line.amount) for line in lines] == [
        ("base_fee", first.pk, D("1500.00")),
        ("commission", first.pk, D("2500.00")),
        ("base_fee", renewed.pk, D("1500.00")),
        ("commission", renewed.pk, D("2500.00")),
    ]
    assert invoice.total == D("8000.00")
    commission_line = lines[1]
    assert commission_line.details["month_commission"] == "5000.00"
    assert commission_line.details["tiers_of_contract"] == renewed.pk
    description = (
        "Turnover 300,000.00 x 15/30 = 150,000.00 of the month's 300,000.00:"
        " its share of the month's commission 5,000.00"
        " (tiers of the contract in force on 2026-11-30, graduated tiers)"
    )
    assert commission_line.description == description

    # Printed once: the description leads to the month's turnover, the steps are its tiers.
    explanation = explain_line(commission_line)
    assert explanation.summary == description
    assert explanation.steps == (
        "0.00 to 200,000.00: 200,000.00 x 2% = 4,000.00",
        "above 200,000.00: 100,000.00 x 1% = 1,000.00",
    )
    # The portal's statement explains one contract's tiers; a shared line has none to show.
    assert commission_statement(commission_line, NOVEMBER) is None

    # A rerun recomputes the same figures.
    assert bill_month(month=NOVEMBER) == (0, 1)
    assert [line.amount for line in invoice.lines.order_by("position")] == [
        line.amount for line in lines
    ]


@pytest.mark.django_db
@time_machine.travel(AFTER_NOVEMBER, tick=False)
def test_a_billing_run_with_one_contract_still_puts_its_own_turnover_through_its_tiers(shop_a):
    stored_contract(shop_a, plan=Plan.SHIFT, start=dt.date(2026, 11, 16))
    confirmed_turnover(shop_a, "300000.00", month=NOVEMBER)
    bill_month(month=NOVEMBER)
    line = Invoice.objects.get(shop=shop_a, month=NOVEMBER).lines.get(kind="commission")
    # 150,000 through the tiers: 3,000 + 1,000 (the month's other half had no contract).
    assert line.amount == D("4000.00")
    assert line.description == "Turnover 300,000.00 x 15/30 = 150,000.00, graduated tiers"
    assert "month_commission" not in line.details
