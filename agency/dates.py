"""Inclusive date ranges: when a row with ``start_date``/``end_date`` is in force.

Contracts, seat assignments and the reads built on them share one reading of their dates: the
range runs from ``start_date`` to ``end_date`` inclusive, and a NULL ``end_date`` means open-ended.
These conditions say it once. ``prefix`` reaches the dates through a relation
(``prefix="contracts__"``), and ``day`` may be an expression such as ``OuterRef("date")``.
"""

import datetime as dt

from django.db.models import Q
from django.db.models.expressions import Combinable

DateValue = dt.date | Combinable
"""A date, or an expression that evaluates to one (``F``, ``OuterRef``)."""


def active_on_q(day: DateValue, *, prefix: str = "") -> Q:
    """Rows whose inclusive range [start, end] (end open when null) contains ``day``."""
    return Q(
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day}),
        **{f"{prefix}start_date__lte": day},
    )


def overlapping_q(start: DateValue, end: DateValue | None, *, prefix: str = "") -> Q:
    """Rows whose inclusive range shares at least one date with [start, end] (``end=None``:
    open-ended)."""
    condition = Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": start})
    if end is not None:
        condition &= Q(**{f"{prefix}start_date__lte": end})
    return condition
