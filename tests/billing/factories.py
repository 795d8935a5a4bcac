"""Billing test helpers: contracts of each plan, confirmed turnover, a month of many shops."""

import datetime as dt
from decimal import Decimal

from agency.choices import Plan, Shift
from tests.factories import ContractFactory, ShopFactory, TurnoverReportFactory

OCTOBER = dt.date(2026, 10, 1)  # 31 days
NOVEMBER = dt.date(2026, 11, 1)  # 30 days
FEBRUARY = dt.date(2026, 2, 1)  # 28 days

DEFAULT_TIERS_JSON = [
    {"from": "0.00", "rate": "0.0300"},
    {"from": "100000.00", "rate": "0.0200"},
    {"from": "500000.00", "rate": "0.0100"},
]


def day_plan_contract(shop, *, start, end, price="100.00", plan=Plan.TEMPORARY):
    return ContractFactory(
        shop=shop,
        plan=plan,
        shift=None,
        start_date=start,
        end_date=end,
        price=Decimal(price),
        commission_tiers=[],
    )


def monthly_contract(
    shop,
    *,
    start=dt.date(2026, 1, 1),
    end=None,
    plan=Plan.FULL_DAY,
    price=None,
    mode="graduated",
    tiers=None,
    shift=None,
):
    if plan == Plan.SHIFT and shift is None:
        shift = Shift.DAY
    if price is None:
        price = "1500.00" if plan == Plan.SHIFT else "3000.00"
    return ContractFactory(
        shop=shop,
        plan=plan,
        shift=shift,
        start_date=start,
        end_date=end,
        price=Decimal(price),
        commission_mode=mode,
        commission_tiers=tiers if tiers is not None else DEFAULT_TIERS_JSON,
    )


def confirmed_turnover(shop, amount, *, month=OCTOBER):
    return TurnoverReportFactory(shop=shop, month=month, amount=Decimal(amount), status="confirmed")


def shops_billed_in(month: dt.date, count: int, *, owner=None) -> list:
    """``count`` shops with a mix of all four plans (some prorated), most with turnover."""
    shops = []
    for number in range(count):
        shop = ShopFactory(**({"owner": owner} if owner else {}))
        kind = number % 4
        if kind == 0:
            day_plan_contract(
                shop, start=month + dt.timedelta(days=2), end=month + dt.timedelta(days=8)
            )
        elif kind == 1:
            day_plan_contract(
                shop,
                plan=Plan.PROMOTION,
                price="200.00",
                start=month + dt.timedelta(days=9),
                end=month + dt.timedelta(days=11),
            )
        elif kind == 2:
            monthly_contract(shop, plan=Plan.SHIFT, start=month + dt.timedelta(days=10))
        else:
            monthly_contract(
                shop,
                plan=Plan.FULL_DAY,
                start=month,
                mode="flat" if number % 8 == 3 else "graduated",
            )
        if kind >= 2 and number % 5 != 0:
            confirmed_turnover(shop, f"{50000 + 7919 * number}.00", month=month)
        shops.append(shop)
    return shops
