"""Turnover as billing sees it: a confirmed figure is billed, so confirming or correcting one
changes the month's invoice.

The manager's entry points (the API, the admin, the manager app) confirm and correct turnover
here; owners submit and correct their submitted figures through ``shops.services`` directly.
"""

from decimal import Decimal

from django.db import transaction

from agency.models import User
from shops import services as shop_services
from shops.models import TurnoverReport


@transaction.atomic
def turnover_confirm(*, report_id: int, actor: User | None) -> TurnoverReport:
    """A manager accepts a month's turnover: from now on it is billed (the month's draft, if a
    run has made one, gets its commission line now) and locked for the owner."""
    return shop_services.turnover_confirm(report_id=report_id, actor=actor)


@transaction.atomic
def turnover_correct(*, report_id: int, actor: User | None, amount: Decimal) -> TurnoverReport:
    """Correct the amount of a report.

    Owners correct their submitted figures; a confirmed figure only a manager corrects, and only
    while the month's invoice is not issued (409 otherwise). Correcting a confirmed figure
    recomputes the month's draft invoice and tells the owner.
    """
    return shop_services.turnover_update(
        report=TurnoverReport(pk=report_id), actor=actor, amount=amount
    )
