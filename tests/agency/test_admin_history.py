"""Admin history pages are an audit trail: a past version can be read, never restored.

django-simple-history's version page saves the old version on POST, without the services: a
paid invoice back to an unnumbered draft, a void one back to issued, a confirmed turnover behind
a paid invoice back to another figure. Every history admin refuses it, superusers included.
"""

import datetime as dt
import inspect
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from simple_history.admin import SimpleHistoryAdmin

from agency.admin import HistoryReadOnlyMixin
from billing.models import Invoice
from billing.services import (
    bill_month,
    invoice_issue,
    invoice_pay,
    invoice_void,
    turnover_confirm,
)
from shops.models import Contract, PriceBookEntry, TurnoverReport
from tests.billing.factories import OCTOBER, monthly_contract
from tests.factories import ManagerFactory, TurnoverReportFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def mid_november():
    with time_machine.travel(dt.datetime(2026, 11, 16, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_without_permissions():
    return ManagerFactory(username="staff")


@pytest.fixture
def staff_who_may_view_turnover():
    user = ManagerFactory(username="viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_turnoverreport"))
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def void(invoice: Invoice, actor) -> None:
    extra = {"reason": "Billed the wrong shop"}
    if "reason" not in inspect.signature(invoice_void).parameters:
        extra = {}
    invoice_void(invoice_id=invoice.pk, actor=actor, **extra)


def version_url(obj, version) -> str:
    opts = obj._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/history/{version.history_id}/"


def first_version(obj):
    return obj.history.order_by("history_id").first()


def as_stored(invoice: Invoice) -> tuple:
    invoice.refresh_from_db()
    return (invoice.status, invoice.number, invoice.total, invoice.paid_at, invoice.voided_at)


@pytest.fixture
def billed(shop_a, manager):
    """Shop A's October: a confirmed turnover, and its invoice issued."""
    monthly_contract(shop_a)
    report = TurnoverReportFactory(shop=shop_a, month=OCTOBER, amount=Decimal("100000.00"))
    turnover_confirm(report_id=report.pk, actor=manager)
    bill_month(month=OCTOBER)
    invoice = Invoice.objects.get(shop=shop_a, month=OCTOBER)
    invoice_issue(invoice_id=invoice.pk, actor=manager)
    report.refresh_from_db()
    invoice.refresh_from_db()
    return report, invoice


@pytest.mark.parametrize("attacker", ["staff_without_permissions", "superuser"])
def test_a_paid_invoice_cannot_be_reverted_to_its_draft_through_history(
    request, attacker, billed, manager
):
    _, invoice = billed
    invoice_pay(invoice_id=invoice.pk, actor=manager)
    before = as_stored(invoice)
    draft = first_version(invoice)
    assert (draft.status, draft.number) == ("draft", None)
    versions = invoice.history.count()

    response = client_for(request.getfixturevalue(attacker)).post(version_url(invoice, draft), {})

    assert response.status_code == 403
    assert as_stored(invoice) == before
    assert before[0] == "paid" and before[1].startswith("INV-")
    assert invoice.history.count() == versions


@pytest.mark.parametrize("attacker", ["staff_without_permissions", "superuser"])
def test_a_void_invoice_cannot_be_brought_back_to_issued_through_history(
    request, attacker, billed, manager
):
    _, invoice = billed
    void(invoice, manager)
    before = as_stored(invoice)
    issued = invoice.history.filter(status="issued").order_by("history_id").last()

    response = client_for(request.getfixturevalue(attacker)).post(version_url(invoice, issued), {})

    assert response.status_code == 403
    assert as_stored(invoice) == before
    assert before[0] == "void"


@pytest.mark.parametrize("attacker", ["staff_who_may_view_turnover", "superuser"])
def test_a_confirmed_turnover_behind_a_paid_invoice_cannot_be_reverted_through_history(
    request, attacker, billed, manager
):
    report, invoice = billed
    invoice_pay(invoice_id=invoice.pk, actor=manager)
    submitted = first_version(report)
    assert submitted.status == "submitted"

    response = client_for(request.getfixturevalue(attacker)).post(
        version_url(report, submitted), {"amount": "1.00"}
    )

    assert response.status_code == 403
    report.refresh_from_db()
    assert (report.status, report.amount) == ("confirmed", Decimal("100000.00"))
    assert report.confirmed_by == manager
    assert as_stored(invoice)[0] == "paid"


def test_price_book_and_contract_history_cannot_be_reverted_either(superuser, shop_a):
    entry = PriceBookEntry.objects.get(plan="shift")
    entry.save()  # a version at the list price of 1,500.00
    entry.price = Decimal("1600.00")
    entry.save()
    contract = monthly_contract(shop_a, price="3000.00")
    contract.price = Decimal("2500.00")
    contract.save()
    client = client_for(superuser)

    old_entry = client.post(
        version_url(entry, entry.history.get(price=Decimal("1500.00"))),
        {"price": "1500.00", "commission_mode": "graduated", "commission_tiers": "[]"},
    )
    old_contract = client.post(version_url(contract, first_version(contract)), {})

    assert (old_entry.status_code, old_contract.status_code) == (403, 403)
    assert PriceBookEntry.objects.get(pk=entry.pk).price == Decimal("1600.00")
    assert Contract.objects.get(pk=contract.pk).price == Decimal("2500.00")


def test_managers_still_read_the_history_and_each_version_read_only(superuser, billed):
    report, invoice = billed
    client = client_for(superuser)

    for obj in (invoice, report):
        opts = obj._meta
        listing = client.get(f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/history/")
        assert listing.status_code == 200
        assert "Press the &#x27;Revert&#x27; button" not in listing.content.decode()

        page = client.get(version_url(obj, first_version(obj)))
        assert page.status_code == 200
        html = page.content.decode()
        assert 'name="_save"' not in html
        assert 'value="Revert"' not in html

    html = client.get(version_url(report, first_version(report))).content.decode()
    assert 'name="amount"' not in html  # shown as text, not as a field to fill in
    assert "Submitted" in html and "100000.00" in html  # the old version is what is shown
    assert TurnoverReport.objects.get(pk=report.pk).status == "confirmed"


def test_every_admin_with_history_refuses_reverts():
    with_history = [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, SimpleHistoryAdmin)
    ]
    assert len(with_history) >= 8  # shops, contracts, turnover, invoices, price book, seats...
    assert [
        type(model_admin).__name__
        for model_admin in with_history
        if not isinstance(model_admin, HistoryReadOnlyMixin)
    ] == []


def test_an_invoice_is_neither_changed_nor_deleted_in_the_admin_even_by_a_superuser(
    superuser, billed
):
    _, invoice = billed
    before = as_stored(invoice)
    client = client_for(superuser)

    change = client.post(f"/admin/billing/invoice/{invoice.pk}/change/", {"status": "draft"})
    delete = client.post(f"/admin/billing/invoice/{invoice.pk}/delete/", {"post": "yes"})
    changelist = client.get("/admin/billing/invoice/")

    assert (change.status_code, delete.status_code) == (403, 403)
    actions = [name for name, _ in changelist.context["action_form"].fields["action"].choices]
    assert "issue" in actions and "delete_selected" not in actions
    assert as_stored(invoice) == before
