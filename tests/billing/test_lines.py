"""The lines of one shop's invoice, built without the database (DOMAIN.md, "Billing")."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agency.months import days_in_month
from billing.calculations import (
    active_days,
    attributed_turnover,
    commission,
    prorate,
)
from billing.services.lines import BillableContract, ContractTermsError, invoice_figures
from shops.terms import DEFAULT_TIERS
from tests.billing.factories import DEFAULT_TIERS_JSON, FEBRUARY, OCTOBER

D = Decimal


def terms(
    plan="full_day",
    *,
    price="3000.00",
    start=dt.date(2026, 1, 1),
    end=None,
    mode="graduated",
    tiers=None,
    contract_id=1,
):
    return BillableContract(
        id=contract_id,
        shop_id=7,
        plan=plan,
        price=D(price),
        commission_mode=mode,
        commission_tiers=DEFAULT_TIERS_JSON if tiers is None else tiers,
        start_date=start,
        end_date=end,
    )


def figures(contracts, turnover=None, month=OCTOBER):
    return invoice_figures(
        shop_id=7,
        month=month,
        contracts=contracts,
        turnover=None if turnover is None else D(turnover),
    )


def test_temporary_plan_is_one_day_rate_line_service_days_times_price():
    invoice = figures(
        [terms("temporary", price="100.00", start=dt.date(2026, 10, 3), end=dt.date(2026, 10, 14))]
    )
    [line] = invoice.lines
    assert (line.kind, line.quantity, line.unit_price, line.amount) == (
        "day_rate",
        D(12),
        D("100.00"),
        D("1200.00"),
    )
    assert line.description == "12 service days (2026-10-03 to 2026-10-14) x 100.00"
    assert line.details["service_days"] == 12
    assert not invoice.awaiting_turnover
    assert invoice.total == D("1200.00")


def test_promotion_days_outside_the_month_are_billed_in_their_own_month():
    promotion = terms(
        "promotion", price="200.00", start=dt.date(2026, 10, 30), end=dt.date(2026, 11, 2)
    )
    assert figures([promotion]).total == D("400.00")  # 30, 31 October
    assert figures([promotion], month=dt.date(2026, 11, 1)).total == D("400.00")  # 1, 2 Nov
    single = terms(
        "promotion", price="200.00", start=dt.date(2026, 11, 11), end=dt.date(2026, 11, 11)
    )
    [line] = figures([single], month=dt.date(2026, 11, 1)).lines
    assert line.description == "1 service day (2026-11-11) x 200.00"


def test_full_month_base_fee_is_exactly_the_monthly_price():
    invoice = figures([terms("shift", price="1500.00")], turnover="0.00", month=FEBRUARY)
    base_fee = invoice.lines[0]
    assert (base_fee.kind, base_fee.quantity, base_fee.amount) == ("base_fee", D(1), D("1500.00"))
    assert base_fee.description == "28 of 28 days x 1,500.00"


def test_base_fee_from_the_11th_of_a_31_day_month_is_prorated_half_up():
    """DOMAIN.md: 1,500 from the 11th of a 31-day month: 1,500 x 21/31 = 1,016.13."""
    invoice = figures([terms("shift", price="1500.00", start=dt.date(2026, 10, 11))])
    base_fee = invoice.lines[0]
    assert base_fee.amount == D("1016.13")
    assert base_fee.quantity == D("0.6774")
    assert base_fee.description == "21 of 31 days x 1,500.00"
    assert base_fee.details["active_days"] == 21
    assert base_fee.details["days_in_month"] == 31
    assert base_fee.details["monthly_fee"] == "1500.00"


def test_base_fee_ending_inside_the_month_is_prorated():
    invoice = figures([terms(price="3000.00", end=dt.date(2026, 10, 10))], turnover="0.00")
    assert invoice.lines[0].amount == prorate(D("3000.00"), 10, 31) == D("967.74")


def test_graduated_commission_charges_each_slice_at_its_rate():
    """DOMAIN.md: 300,000 graduated -> 3,000 + 4,000 = 7,000."""
    invoice = figures([terms()], turnover="300000.00")
    base_fee, line = invoice.lines
    assert line.kind == "commission"
    assert line.amount == D("7000.00")
    # The tier arithmetic is in the details (printed once, as steps), not in the description.
    assert line.description == "Turnover 300,000.00, graduated tiers"
    assert line.details["kind"] == "commission"
    assert [s["amount"] for s in line.details["slices"]] == ["100000.00", "200000.00"]
    assert line.details["slices"][1]["to"] == "500000.00"
    assert invoice.total == D("10000.00")


def test_flat_commission_charges_the_whole_turnover_at_its_tier():
    """DOMAIN.md: 300,000 flat -> 6,000."""
    line = figures([terms(mode="flat")], turnover="300000.00").lines[1]
    assert line.amount == D("6000.00")
    assert line.description == "Turnover 300,000.00, whole turnover at one tier's rate"
    assert line.details["mode"] == "flat"


@pytest.mark.parametrize(("mode", "expected"), [("flat", "2000.00"), ("graduated", "3000.00")])
def test_a_tier_applies_from_its_lower_bound_inclusive(mode, expected):
    line = figures([terms(mode=mode)], turnover="100000.00").lines[1]
    assert line.amount == D(expected)


def test_attributed_turnover_is_rounded_to_cents_before_the_tiers():
    """300,000 x 21/31 = 203,225.806... -> 203,225.81, then 3,000 + 103,225.81 x 2%."""
    line = figures([terms(start=dt.date(2026, 10, 11))], turnover="300000.00").lines[1]
    assert line.details["attributed_turnover"] == "203225.81"
    assert line.amount == D("5064.52")
    assert line.description == "Turnover 300,000.00 x 21/31 = 203,225.81, graduated tiers"
    # Where rounding first matters: 1.45 x 7/31 = 0.3274 -> 0.33; at 50 %: 0.165 -> 0.17
    # (0.3274 x 50 % = 0.1637 would have given 0.16).
    half = [{"from": "0", "rate": "0.5"}]
    odd = figures([terms(start=dt.date(2026, 10, 25), tiers=half)], "1.45").lines[1]
    assert odd.details["attributed_turnover"] == "0.33"
    assert odd.amount == D("0.17")


def test_without_confirmed_turnover_the_invoice_awaits_it_and_has_no_commission_line():
    invoice = figures([terms(plan="shift", price="1500.00")])
    assert invoice.awaiting_turnover
    assert [line.kind for line in invoice.lines] == ["base_fee"]
    assert invoice.total == D("1500.00")


def test_day_plans_never_wait_for_turnover():
    invoice = figures([terms("temporary", price="100.00", start=OCTOBER, end=OCTOBER)])
    assert not invoice.awaiting_turnover


def test_a_shop_with_several_contracts_gets_their_lines_in_order_and_their_sum():
    invoice = figures(
        [
            terms("shift", price="1500.00", end=dt.date(2026, 10, 10), contract_id=1),
            terms(price="3000.00", start=dt.date(2026, 10, 11), contract_id=2),
            terms(
                "promotion",
                price="200.00",
                start=dt.date(2026, 10, 1),
                end=dt.date(2026, 10, 3),
                contract_id=3,
            ),
        ],
        turnover="310000.00",
    )
    assert [(line.contract_id, line.kind) for line in invoice.lines] == [
        (1, "base_fee"),
        (1, "commission"),
        (2, "base_fee"),
        (2, "commission"),
        (3, "day_rate"),
    ]
    # Each monthly contract's commission is on its own share of the turnover: 10/31 and 21/31.
    assert invoice.lines[1].details["attributed_turnover"] == "100000.00"
    assert invoice.lines[3].details["attributed_turnover"] == "210000.00"
    assert invoice.total == sum((line.amount for line in invoice.lines), D(0))


def test_unusable_tiers_refuse_the_contract_by_name():
    with pytest.raises(
        ContractTermsError, match="Contract 1 .*first commission tier must start at 0"
    ):
        figures([terms(tiers=[{"from": "10", "rate": "0.03"}])], turnover="5.00")
    with pytest.raises(ContractTermsError, match="Contract 1"):
        figures([terms(tiers="nonsense")], turnover="5.00")


@given(
    start_day=st.integers(min_value=1, max_value=31),
    length=st.integers(min_value=0, max_value=60),
    open_ended=st.booleans(),
    price=st.decimals(min_value=0, max_value=100000, places=2),
    turnover=st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=2)),
    mode=st.sampled_from(["graduated", "flat"]),
)
def test_monthly_invoice_is_the_prorated_fee_plus_tiers_on_rounded_attributed_turnover(
    start_day, length, open_ended, price, turnover, mode
):
    start = OCTOBER + dt.timedelta(days=start_day - 1)
    end = None if open_ended else start + dt.timedelta(days=length)
    invoice = figures([terms(price=str(price), start=start, end=end, mode=mode)], turnover)
    active = active_days(start, end, OCTOBER)
    expected = prorate(price, active, days_in_month(OCTOBER))
    if turnover is not None:
        expected += commission(attributed_turnover(turnover, active, 31), DEFAULT_TIERS, mode)
    assert invoice.total == expected
    assert invoice.awaiting_turnover is (turnover is None)
    assert all(line.amount == line.amount.quantize(D("0.01")) for line in invoice.lines)


def test_overlapping_commission_contracts_share_the_turnover_instead_of_both_taking_it():
    """A shop's turnover is earned once: a day-shift and a night-shift contract active on the
    same dates each earn half of those days' turnover (docs/billing.md)."""
    day = terms("shift", price="1500.00", contract_id=1)
    night = terms("shift", price="1500.00", contract_id=2)
    invoice = figures([day, night], turnover="300000.00")
    commissions = [line for line in invoice.lines if line.kind == "commission"]
    assert [line.details["attributed_turnover"] for line in commissions] == [
        "150000.00",
        "150000.00",
    ]
    # Tiers see the month once: 300,000 -> 7,000.00, half each (not 4,000.00 each on 150,000).
    assert [line.amount for line in commissions] == [D("3500.00"), D("3500.00")]
    assert "split equally" in commissions[0].description


def test_a_contract_renewed_mid_month_earns_its_own_days_only():
    first = terms(start=dt.date(2026, 1, 1), end=dt.date(2026, 10, 15), contract_id=1)
    second = terms(start=dt.date(2026, 10, 16), contract_id=2)
    invoice = figures([first, second], turnover="310000.00")
    attributed = [
        line.details["attributed_turnover"] for line in invoice.lines if line.kind == "commission"
    ]
    assert attributed == ["150000.00", "160000.00"]
    assert all("shared_days" not in line.details for line in invoice.lines)


# --- A run's shortcuts give the lines the rules give -----------------------------------------


_PRICES = ["100", "100.0", "100.00", "150.50", "1500.00", "1500.0"]  # equal values, other texts


@given(
    specs=st.lists(
        st.tuples(
            st.sampled_from(["temporary", "promotion", "shift", "full_day"]),
            st.sampled_from(_PRICES),
            st.integers(min_value=-40, max_value=40),  # start, days from the month's first
            st.one_of(st.none(), st.integers(min_value=0, max_value=45)),  # length
        ),
        min_size=1,
        max_size=12,
    ),
    month=st.sampled_from([OCTOBER, FEBRUARY, dt.date(2026, 9, 1)]),
    turnover=st.one_of(st.none(), st.sampled_from(["0.00", "123456.78", "99999.99"])),
)
def test_lines_shared_between_contracts_are_the_lines_made_afresh(specs, month, turnover):
    """A run makes a day rate or base fee line once per distinct figures and reuses it for the
    next contract with the same figures (``lines._shared_line``): every line, its wording,
    details and COPY text, is what the rules give that contract alone, whatever was billed
    before it (prices of equal value but other texts included) and in whichever month."""
    from billing.services import lines, runs, writes

    contracts = []
    for number, (plan, price, start, length) in enumerate(specs, start=1):
        first = month + dt.timedelta(days=start)
        if length is None and plan in ("temporary", "promotion"):
            length = 0
        end = None if length is None else first + dt.timedelta(days=length)
        if not (first <= month + dt.timedelta(days=days_in_month(month) - 1)) or (
            end is not None and end < month
        ):
            continue  # not active in the month: a run never bills it
        contracts.append(
            terms(plan, price=price, start=first, end=end, contract_id=number, mode="graduated")
        )
    if not contracts:
        return
    shared = figures(contracts, turnover, month=month)
    again = figures(contracts, turnover, month=month)  # every line from the shared ones now
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lines, "_shared_line", lambda key, contract_id, make: make())
        afresh = figures(contracts, turnover, month=month)
    assert shared == afresh
    assert again == afresh
    for line in afresh.lines:
        assert line.columns_text == writes.line_columns_text(
            line.kind,
            line.description,
            line.quantity,
            line.unit_price,
            line.amount,
            writes.details_json(line.details),
        )
    texts, _ = runs._line_rows(shared)
    assert texts == [writes.line_copy_text(row) for row in runs._line_tuples(afresh)]


@given(
    breaks=st.lists(
        st.decimals(min_value="0.01", max_value=2_000_000, places=2), unique=True, max_size=4
    ),
    rates=st.lists(
        st.decimals(min_value=0, max_value=1, places=4) | st.sampled_from([D("0.03"), D("0")]),
        min_size=5,
        max_size=5,
    ),
    turnover=st.decimals(min_value=0, max_value=3_000_000, places=2),
    start_day=st.integers(min_value=1, max_value=31),
    mode=st.sampled_from(["graduated", "flat"]),
    plan=st.sampled_from(["shift", "full_day"]),
    as_text=st.booleans(),
)
def test_a_commission_lines_details_are_written_as_the_json_encoder_writes_them(
    breaks, rates, turnover, start_day, mode, plan, as_text
):
    """A one-contract commission line's details JSON is written out directly, not by the
    encoder (``lines._commission_json``), and its slices' bounds and rates are worded once per
    schedule: the text is the encoder's, and the slices are the tiers' bounds and rates with the
    breakdown's amounts, whichever tier a flat commission falls in."""
    import json

    from billing.calculations import tier_breakdown
    from billing.services.writes import details_json
    from shops.terms import tiers_from_json

    schedule = [{"from": "0.00", "rate": str(rates[0])}] + [
        {"from": str(lower), "rate": str(rate)}
        for lower, rate in zip(sorted(breaks), rates[1:], strict=False)
    ]
    contract = terms(
        plan,
        start=OCTOBER + dt.timedelta(days=start_day - 1),
        mode=mode,
        tiers=json.dumps(schedule) if as_text else schedule,
    )
    for _ in range(2):  # the second time with the schedule's words kept
        _, line = figures([contract], turnover=str(turnover)).lines
        assert line.details_text == details_json(line.details)
        tiers = tiers_from_json(schedule)
        uppers = {tier: upper.lower for tier, upper in zip(tiers, tiers[1:], strict=False)}
        rows = tier_breakdown(D(line.details["attributed_turnover"]), tiers, mode)
        assert line.details["slices"] == [
            {
                "from": str(tier.lower),
                "to": str(uppers[tier]) if tier in uppers else None,
                "rate": str(tier.rate),
                "amount": str(on_slice),
                "commission": str(earned),
            }
            for tier, on_slice, earned in rows
        ]


def test_a_run_reads_a_contracts_billable_terms_in_the_order_of_their_fields():
    assert BillableContract._fields == BillableContract.COLUMNS


def test_shared_lines_are_forgotten_past_their_bound_and_made_again_alike(monkeypatch):
    from billing.services import lines

    monkeypatch.setattr(lines, "_SHARED_LINES_MAX", 2)
    monkeypatch.setattr(lines, "_SHARED_LINES", {})
    contracts = [
        terms("temporary", price=price, start=dt.date(2026, 10, 3), end=dt.date(2026, 10, 9))
        for price in ("100.00", "110.00", "120.00", "100.00")
    ]
    first = [figures([contract]).lines[0] for contract in contracts]
    assert len(lines._SHARED_LINES) <= 2
    assert [line.amount for line in first] == [D("700.00"), D("770.00"), D("840.00"), D("700.00")]
    assert [figures([contract]).lines[0] for contract in contracts] == first
