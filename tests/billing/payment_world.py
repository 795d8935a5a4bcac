"""Invoices to pay: issued ones of a given total (one monthly contract of that price and no
commission), in a month that has ended."""

import datetime as dt
from zoneinfo import ZoneInfo

from billing.models import Invoice
from billing.services import invoice_issue, shop_month_bill
from tests.billing.factories import OCTOBER, confirmed_turnover, monthly_contract

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Early November: October has ended, so its invoices can be issued; due 15 days after issue.
PAY_DAY = dt.datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)


def draft_invoice(shop, *, total: str = "3000.00", month: dt.date = OCTOBER) -> Invoice:
    monthly_contract(shop, price=total, tiers=None, start=dt.date(2026, 1, 1))
    confirmed_turnover(shop, "0.00", month=month)
    return shop_month_bill(shop_id=shop.pk, month=month)


def issued_invoice(shop, manager, *, total: str = "3000.00", month: dt.date = OCTOBER) -> Invoice:
    return invoice_issue(invoice_id=draft_invoice(shop, total=total, month=month).pk, actor=manager)
