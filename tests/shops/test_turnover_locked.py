"""A confirmed turnover is billed: it changes only through the agency's correction
(``billing.services.turnover_correct``, which opens ``shops.immutability.turnover_correction``).

On PostgreSQL the trigger of ``shops/migrations/0005_confirmed_turnover_locked.py`` refuses every
other path (queryset ``update()``, raw SQL, DELETE); on every database ``TurnoverReport.save()``
and ``delete()`` refuse a changed instance (``confirmed_turnover_change_check``,
``confirmed_turnover_delete_check``). SQLite cannot stop a queryset ``update()``.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from agency.errors import StateConflict
from billing.services import turnover_correct
from shops.immutability import turnover_correction
from shops.models import TurnoverReport
from tests.billing.factories import OCTOBER, confirmed_turnover, monthly_contract
from tests.billing.payment_world import PAY_DAY
from tests.factories import TurnoverReportFactory

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no triggers: a queryset update() or raw SQL is stopped on PostgreSQL only",
)


@pytest.fixture(autouse=True)
def in_november():
    with time_machine.travel(PAY_DAY, tick=False):
        yield


@pytest.fixture
def confirmed(shop_a) -> TurnoverReport:
    monthly_contract(shop_a)
    return confirmed_turnover(shop_a, "300000.00", month=OCTOBER)


def _refused_by_the_database(action) -> None:
    with pytest.raises(IntegrityError, match="confirmed"), transaction.atomic():
        action()


def _amount(report) -> Decimal:
    return TurnoverReport.objects.values_list("amount", flat=True).get(pk=report.pk)


@on_postgresql
@pytest.mark.parametrize(
    "change",
    [{"amount": Decimal("1.00")}, {"status": "submitted"}, {"month": dt.date(2026, 9, 1)}],
    ids=["amount", "unconfirmed", "month"],
)
def test_a_queryset_update_of_a_confirmed_turnover_is_refused(confirmed, change):
    _refused_by_the_database(
        lambda: TurnoverReport.objects.filter(pk=confirmed.pk).update(**change)
    )
    assert _amount(confirmed) == Decimal("300000.00")


@on_postgresql
def test_raw_sql_and_delete_of_a_confirmed_turnover_are_refused(confirmed):
    def raw():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE shops_turnoverreport SET amount = 1 WHERE id = %s", [confirmed.pk]
            )

    _refused_by_the_database(raw)
    _refused_by_the_database(lambda: TurnoverReport.objects.filter(pk=confirmed.pk).delete())


@on_postgresql
def test_the_database_lets_the_amount_through_the_correction_block_only(confirmed):
    with transaction.atomic():
        with turnover_correction():
            TurnoverReport.objects.filter(pk=confirmed.pk).update(amount=Decimal("1.00"))
            _refused_by_the_database(
                lambda: TurnoverReport.objects.filter(pk=confirmed.pk).update(status="submitted")
            )
        _refused_by_the_database(
            lambda: TurnoverReport.objects.filter(pk=confirmed.pk).update(amount=Decimal("2.00"))
        )
    assert _amount(confirmed) == Decimal("1.00")


@on_postgresql
def test_a_submitted_turnover_still_changes_and_is_deleted(shop_a):
    report = TurnoverReportFactory(shop=shop_a, month=OCTOBER)
    TurnoverReport.objects.filter(pk=report.pk).update(amount=Decimal("5.00"))
    TurnoverReport.objects.filter(pk=report.pk).delete()
    assert not TurnoverReport.objects.exists()


def test_the_correction_service_still_corrects_a_confirmed_figure(confirmed, manager):
    turnover_correct(report_id=confirmed.pk, actor=manager, amount=Decimal("200000.00"))
    assert _amount(confirmed) == Decimal("200000.00")


def test_saving_a_confirmed_turnover_with_a_new_amount_is_refused(confirmed):
    report = TurnoverReport.objects.get(pk=confirmed.pk)
    report.amount = Decimal("1.00")
    with pytest.raises(StateConflict, match="confirmed"):
        report.save(update_fields=["amount", "updated_at"])
    report.amount, report.status = Decimal("300000.00"), "submitted"
    with pytest.raises(StateConflict, match="confirmed"):
        report.save()
    assert _amount(confirmed) == Decimal("300000.00")


def test_deleting_a_confirmed_turnover_instance_is_refused(confirmed):
    with pytest.raises(StateConflict, match="confirmed"):
        TurnoverReport.objects.get(pk=confirmed.pk).delete()


def test_inside_the_correction_only_the_amount_may_change(confirmed):
    report = TurnoverReport.objects.get(pk=confirmed.pk)
    with transaction.atomic(), turnover_correction():
        report.amount = Decimal("1.00")
        report.save(update_fields=["amount", "updated_at"])
        report.month = dt.date(2026, 9, 1)
        with pytest.raises(StateConflict):
            report.save(update_fields=["month"])
    assert _amount(confirmed) == Decimal("1.00")
