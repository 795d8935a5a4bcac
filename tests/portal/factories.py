"""Portal test data: a shop the agency serves, with one of everything an owner sees.

Invoice lines are made by ``billing.services.lines.invoice_figures`` (pure, no query) and stored
as they are, so their ``details`` are exactly what a billing run writes.
"""

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from agency.choices import Plan, Shift
from billing.models import Invoice, InvoiceLine, due_date_for
from billing.services.lines import BillableContract, invoice_figures
from seats.models import HandoverNote
from shops.models import Contract, Shop
from tests.factories import (
    AgentFactory,
    ContractFactory,
    DsrRatingFactory,
    SeatAssignmentFactory,
    SeatFactory,
    TurnoverReportFactory,
    WorkloadFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
_NUMBERS = itertools.count(1)
TODAY = dt.date(2026, 11, 15)
NOVEMBER = dt.date(2026, 11, 1)
OCTOBER = dt.date(2026, 10, 1)  # 31 days
CONTRACT_START = dt.date(2026, 10, 11)  # 21 of October's 31 days


def shanghai(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def terms_of(contract: Contract) -> BillableContract:
    return BillableContract(*(getattr(contract, column) for column in BillableContract.COLUMNS))


def make_invoice(
    shop: Shop,
    contracts: list[Contract],
    *,
    month: dt.date = OCTOBER,
    turnover: Decimal | None = None,
    status: str = Invoice.Status.ISSUED,
    number: str | None = None,
    before_issue: Callable[[Invoice], None] | None = None,
) -> Invoice:
    """An invoice whose lines are what the billing run computes for ``contracts``
    (``before_issue`` may still change the draft's lines: an issued invoice's never change)."""
    figures = invoice_figures(
        shop_id=shop.pk,
        month=month,
        contracts=[terms_of(contract) for contract in contracts],
        turnover=turnover,
    )
    issued = status in (Invoice.Status.ISSUED, Invoice.Status.PAID, Invoice.Status.VOID)
    # Written as a draft with its lines, then given its status: an issued invoice's lines
    # never change (``billing.immutability``).
    invoice = Invoice.objects.create(
        shop=shop,
        month=month,
        awaiting_turnover=figures.awaiting_turnover,
        total=figures.total,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            contract_id=line.contract_id,
            kind=line.kind,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
            details=line.details,
            position=position,
        )
        for position, line in enumerate(figures.lines)
    )
    if before_issue is not None:
        before_issue(invoice)
    if status != Invoice.Status.DRAFT:
        issued_at = shanghai(month.replace(day=28) + dt.timedelta(days=5)) if issued else None
        Invoice.objects.filter(pk=invoice.pk).update(
            status=status,
            number=(number or f"INV-{month.year}-{next(_NUMBERS):06d}") if issued else None,
            issued_at=issued_at,
            due_date=due_date_for(shop, timezone.localdate(issued_at))
            if status in (Invoice.Status.ISSUED, Invoice.Status.PAID)
            else None,
            voided_at=shanghai(month + dt.timedelta(days=40)) if status == "void" else None,
            void_reason="Billed on the wrong contract" if status == "void" else "",
        )
        invoice.refresh_from_db()
    return invoice


@dataclass
class ServedShop:
    shop: Shop
    contract: Contract
    invoice: Invoice
    report: object
    note: HandoverNote


def serve(shop: Shop, *, day_agent: str = "王小明", night_agent: str = "李娜") -> ServedShop:
    """A full-day contract from 2026-10-11 on a seat with both shifts staffed, and its data."""
    seat = SeatFactory()
    day = SeatAssignmentFactory(
        seat=seat, agent=AgentFactory(name=day_agent), shift=Shift.DAY, start_date=OCTOBER
    )
    night = SeatAssignmentFactory(
        seat=seat, agent=AgentFactory(name=night_agent), shift=Shift.NIGHT, start_date=OCTOBER
    )
    contract = ContractFactory(
        shop=shop,
        plan=Plan.FULL_DAY,
        seat=seat,
        start_date=CONTRACT_START,
        price=Decimal("3000.00"),
    )
    report = TurnoverReportFactory(
        shop=shop, month=OCTOBER, amount=Decimal("300000.00"), status="confirmed"
    )
    invoice = make_invoice(shop, [contract], turnover=Decimal("300000.00"))
    note = HandoverNote.objects.create(
        seat=seat,
        shop=shop,
        date=TODAY,
        from_agent=day.agent,
        to_agent=night.agent,
        open_cases=f"{shop.name}: order 1001 waits for a refund.",
        promises=f"{shop.name}: call the buyer of order 1002 back before 20:00.",
    )
    WorkloadFactory(agent=day.agent, shop=shop, date=TODAY - dt.timedelta(days=1))
    DsrRatingFactory(shop=shop, rated_at=shanghai(TODAY - dt.timedelta(days=3)))
    return ServedShop(shop=shop, contract=contract, invoice=invoice, report=report, note=note)
