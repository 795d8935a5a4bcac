"""Billing's tables for download (``agency.exports``): invoices and the reports.

**Invoices: one row per invoice**, not per line: the accountant reconciles invoices against
payments and the fapiao register, one number per row, and the line amounts are summed per kind
of line (service days, base fee, commission) next to the total, which they add up to. The lines
themselves, with their explanation, are on the invoice and its PDF. Void invoices are listed
too, so every number given appears.

The reports are the manager app's reports page (``web/views/reports.py``) as tables: seat
profitability, revenue by plan and revenue month over month, read from the same selectors; and
the receivables by age (``billing.receivables``).
"""

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agency.access import scoped_to_shops
from agency.exports import YES_NO, Column, Kind
from agency.models import User
from agency.money import round_money
from billing.choices import InvoiceLineKind, InvoiceStatus
from billing.models import Invoice, InvoiceLine
from billing.receivables import BUCKET_LABELS, receivables
from billing.reports import seat_profitability
from billing.selectors import ZERO, month_over_month, revenue_by_plan
from shops.choices import ShopPlatform

if TYPE_CHECKING:
    from shops.models import Shop

Row = dict[str, object]

INVOICE_COLUMNS = (
    Column("number", _("Invoice number")),
    Column("shop", _("Shop")),
    Column("platform", _("Platform"), Kind.CHOICE, dict(ShopPlatform.choices)),
    Column("month", _("Month"), Kind.MONTH),
    Column("status", _("Status"), Kind.CHOICE, dict(InvoiceStatus.choices)),
    Column("awaiting_turnover", _("Awaiting turnover"), Kind.CHOICE, YES_NO),
    Column("issued_on", _("Issued on"), Kind.DATE),
    Column("paid_on", _("Paid on"), Kind.DATE),
    Column(InvoiceLineKind.DAY_RATE, InvoiceLineKind.DAY_RATE.label, Kind.MONEY),
    Column(InvoiceLineKind.BASE_FEE, InvoiceLineKind.BASE_FEE.label, Kind.MONEY),
    Column(InvoiceLineKind.COMMISSION, InvoiceLineKind.COMMISSION.label, Kind.MONEY),
    Column("total", _("Total (CNY)"), Kind.MONEY),
)


def _with_lines(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return queryset.select_related("shop").prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.order_by("position", "id"))
    )


def invoices_for_export(*, month: date) -> QuerySet[Invoice]:
    """All invoices of ``month`` (void ones too), by shop; two queries whatever their number."""
    return _with_lines(Invoice.objects.filter(month=month.replace(day=1))).order_by(
        "shop__name", "shop_id", "id"
    )


def shop_invoices_for_export(*, shop: "Shop", user: User) -> QuerySet[Invoice]:
    """A shop's invoices ``user`` may see, newest month first; two queries."""
    return _with_lines(
        scoped_to_shops(Invoice.objects.filter(shop=shop), user, money=True)
    ).order_by("-month", "id")


def _local_date(moment) -> date | None:
    return timezone.localdate(moment) if moment else None


def invoice_rows(invoices: Iterable[Invoice]) -> Iterator[Row]:
    """One row per invoice: its facts, its line amounts summed per kind, its total."""
    for invoice in invoices:
        sums = dict.fromkeys(InvoiceLineKind.values, Decimal("0"))
        for line in invoice.lines.all():
            sums[line.kind] = sums.get(line.kind, Decimal("0")) + line.amount
        yield {
            "number": invoice.number or "",
            "shop": invoice.shop.name,
            "platform": invoice.shop.platform,
            "month": invoice.month,
            "status": invoice.status,
            "awaiting_turnover": invoice.awaiting_turnover,
            "issued_on": _local_date(invoice.issued_at),
            "paid_on": _local_date(invoice.paid_at),
            **{kind: round_money(amount) for kind, amount in sums.items()},
            "total": round_money(invoice.total),
        }


# --- Reports ----------------------------------------------------------------------------------

SEAT_PROFITABILITY_COLUMNS = (
    Column("seat_code", _("Seat")),
    Column("revenue", _("Revenue"), Kind.MONEY),
    Column("agent_cost", _("Agent cost"), Kind.MONEY),
    Column("overhead", _("Overhead"), Kind.MONEY),
    Column("margin", _("Margin"), Kind.MONEY),
    Column("cost_basis", _("Agent cost basis")),
)


def seat_profitability_rows(*, month: date) -> list[Row]:
    """Each seat's figures of ``seat_profitability``, the seats' totals, then the revenue served
    by no seat and the approved pay carried by no seat (when there is any): the rows of the
    reports page. Every seat row says whether its agent cost is the approved payroll or an
    estimate from base salaries."""
    report = seat_profitability(month=month)
    basis = str(_("Estimate: base salaries") if report.estimate else _("Approved payroll"))
    rows: list[Row] = [
        {
            "seat_code": row.seat_code,
            "revenue": row.revenue,
            "agent_cost": row.agent_cost,
            "overhead": row.overhead,
            "margin": row.margin,
            "cost_basis": basis,
        }
        for row in report.seats
    ]
    totals = {
        key: sum((row[key] for row in rows), ZERO)
        for key in ("revenue", "agent_cost", "overhead", "margin")
    }
    rows.append({"seat_code": str(_("All seats")), **totals, "cost_basis": basis})
    if report.unallocated_cost:
        rows.append(
            {
                "seat_code": str(_("Agent pay carried by no seat")),
                "agent_cost": report.unallocated_cost,
                "cost_basis": basis,
            }
        )
    if report.unallocated_revenue:
        rows.append(
            {
                "seat_code": str(_("Revenue served without a seat")),
                "revenue": report.unallocated_revenue,
            }
        )
    return rows


REVENUE_BY_PLAN_COLUMNS = (
    Column("plan", _("Plan")),
    Column("amount", _("Revenue (CNY)"), Kind.MONEY),
)


def revenue_by_plan_rows(*, month: date) -> list[Row]:
    entries = revenue_by_plan(month=month)
    rows: list[Row] = [{"plan": str(entry.label), "amount": entry.amount} for entry in entries]
    rows.append({"plan": str(_("Total")), "amount": sum((e.amount for e in entries), ZERO)})
    return rows


REVENUE_TREND_COLUMNS = (
    Column("month", _("Month"), Kind.MONTH),
    Column("amount", _("Revenue (CNY)"), Kind.MONEY),
    Column("change", _("Change on the month before"), Kind.PERCENT),
)
TREND_MONTHS = 12


def revenue_trend_rows(*, last_month: date, months: int = TREND_MONTHS) -> list[Row]:
    """Revenue of the ``months`` months ending with ``last_month``, newest first, as the page."""
    return [
        {"month": entry.month, "amount": entry.amount, "change": entry.change}
        for entry in reversed(month_over_month(last_month=last_month, months=months))
    ]


RECEIVABLES_COLUMNS = (
    Column("shop", _("Shop")),
    *(Column(key, label, Kind.MONEY) for key, label in BUCKET_LABELS.items()),
    Column("total", _("Outstanding (CNY)"), Kind.MONEY),
)


def receivables_rows(*, as_of: date, user: User | None = None) -> list[Row]:
    """The receivables report as the page shows it: one row per shop, then the totals."""
    report = receivables(as_of=as_of, user=user)
    return [
        {"shop": row.shop_name, **row.amounts, "total": row.total}
        for row in [*report.rows, report.totals]
    ]
