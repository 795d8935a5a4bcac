"""A shop's workloads for download (``agency.exports``): one row per agent, date and shift.

Owners read their shops' workloads too, and of an agent an owner sees the given name only
(``Agent.first_name``, as on the portal's coverage), never the employee number: the export for
an owner has neither the full name nor the employee number column.
"""

from collections.abc import Iterator
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agency.access import is_manager, scoped_to_shops
from agency.choices import Shift
from agency.exports import Column, Kind
from agency.models import User
from seats.models import WorkloadRecord

MAX_EXPORT_DAYS = 366
"""The longest date range one export covers: a year of a shop's days is a few thousand rows."""

Row = dict[str, object]

_DATE = Column("date", _("Date"), Kind.DATE)
_SHIFT = Column("shift", _("Shift"), Kind.CHOICE, dict(Shift.choices))
_FIGURES = (
    Column("inquiries", _("Inquiries"), Kind.COUNT),
    Column("conversions", _("Conversions"), Kind.COUNT),
    Column("conversion_rate", _("Conversion rate"), Kind.PERCENT),
    Column("buyer_messages", _("Buyer messages"), Kind.COUNT),
    Column("agent_messages", _("Agent messages"), Kind.COUNT),
    Column("first_response_seconds", _("First response (s)"), Kind.COUNT),
    Column("sales_amount", _("Sales attributed (CNY)"), Kind.MONEY),
)
MANAGER_COLUMNS = (
    _DATE,
    _SHIFT,
    Column("agent", _("Agent")),
    Column("employee_no", _("Employee number")),
    *_FIGURES,
)
OWNER_COLUMNS = (_DATE, _SHIFT, Column("agent", _("Agent")), *_FIGURES)


def workload_columns(user: User) -> tuple[Column, ...]:
    return MANAGER_COLUMNS if is_manager(user) else OWNER_COLUMNS


def shop_workloads_for_export(
    *, shop_id: int, user: User, date_from: date, date_to: date
) -> QuerySet[WorkloadRecord]:
    """The shop's workloads from ``date_from`` to ``date_to`` (inclusive) that ``user`` may see,
    oldest first, day before night; one query."""
    return (
        scoped_to_shops(WorkloadRecord.objects.filter(shop_id=shop_id), user)
        .filter(date__gte=date_from, date__lte=date_to)
        .select_related("agent")
        .order_by("date", "shift", "agent__name", "agent_id")
    )


def workload_rows(records: QuerySet[WorkloadRecord], *, user: User) -> Iterator[Row]:
    full_names = is_manager(user)
    for record in records:
        yield {
            "date": record.date,
            "shift": record.shift,
            "agent": record.agent.name if full_names else record.agent.first_name,
            "employee_no": record.agent.employee_no if full_names else None,
            "inquiries": record.inquiries,
            "conversions": record.conversions,
            "conversion_rate": record.conversion_rate,
            "buyer_messages": record.buyer_messages,
            "agent_messages": record.agent_messages,
            "first_response_seconds": record.first_response_seconds,
            "sales_amount": record.sales_amount,
        }
