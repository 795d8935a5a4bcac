"""Billing: runs and their progress, invoices and their life, turnover to confirm."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from billing.models import BillingRun, Invoice
from billing.services import bill_month, invoice_issue, invoice_void
from shops.models import TurnoverReport
from tests.billing.factories import confirmed_turnover, monthly_contract
from tests.factories import ShopFactory, TurnoverReportFactory
from tests.web.conftest import OCTOBER, SEPTEMBER, SHANGHAI, count_queries, grow_agency
from tests.web.factories import BillingRunFactory, InvoiceFactory

BILLING = "/billing/"
INVOICES = "/billing/invoices/"
HTMX = {"HX-Request": "true"}


@pytest.mark.django_db
def test_the_form_proposes_last_month(manager_client):
    form = manager_client.get(BILLING).context["form"]
    assert form.initial["month"] == "2026-09"


@pytest.mark.django_db
def test_start_a_run_and_it_bills_the_month(
    manager_client, manager, agency, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(BILLING, {"month": "2026-09"}, follow=True)
    run = BillingRun.objects.filter(requested_by=manager).get()
    assert (run.month, run.status) == (SEPTEMBER, "done")
    assert "Billing run for September 2026 started." in response.content.decode()
    assert Invoice.objects.filter(month=SEPTEMBER).exclude(status="void").count() == 3


@pytest.mark.django_db
def test_a_bad_month_is_a_form_error(manager_client):
    response = manager_client.post(BILLING, {"month": "2026-13"})
    assert response.context["form"].errors["month"] == [
        "Enter the month as YYYY-MM, for example 2026-10."
    ]
    assert not BillingRun.objects.exists()


@pytest.mark.django_db
def test_a_run_at_work_is_polled_every_2_seconds_until_it_finishes(manager_client):
    run = BillingRunFactory(status="queued")
    url = reverse("web:billing-run", args=[run.pk])
    html = manager_client.get(BILLING).content.decode()
    assert f'hx-get="{url}" hx-trigger="every 2s" hx-swap="outerHTML"' in html

    fragment = manager_client.get(url, headers=HTMX)
    assert fragment.content.decode().startswith(f'<tr id="run-{run.pk}" hx-get="{url}"')
    assert "<html" not in fragment.content.decode()

    BillingRun.objects.filter(pk=run.pk).update(status="done", invoices_created=4)
    done = manager_client.get(url, headers=HTMX).content.decode()
    assert "hx-trigger" not in done  # polling stops
    assert 'class="badge run-done"' in done


@pytest.mark.django_db
def test_the_fragment_opened_without_htmx_goes_to_the_billing_page(manager_client):
    run = BillingRunFactory()
    response = manager_client.get(reverse("web:billing-run", args=[run.pk]))
    assert response["Location"] == f"{BILLING}#run-{run.pk}"


@pytest.mark.django_db
def test_turnover_waiting_for_confirmation_is_listed_and_confirmed(manager_client, agency):
    report = agency.turnover[0]
    assert manager_client.get(BILLING).context["turnover_reports"] == [report]
    response = manager_client.post(reverse("web:turnover-confirm", args=[report.pk]), follow=True)
    report.refresh_from_db()
    assert report.status == TurnoverReport.Status.CONFIRMED
    assert "Turnover of Full Shop 1 for September 2026 confirmed." in response.content.decode()
    again = manager_client.post(reverse("web:turnover-confirm", args=[report.pk]), follow=True)
    assert "already confirmed" in again.content.decode()


@pytest.mark.django_db
def test_invoices_filter_by_month_status_shop_and_awaiting(manager_client, agency):
    def shops(query):
        return [i.shop.name for i in manager_client.get(INVOICES + query).context["invoices"]]

    assert shops("?month=2026-09") == ["Orphan Shop"]
    assert shops("?status=void") == ["Orphan Shop"]
    assert shops("?q=night") == ["Night Shop 1"]
    assert shops("?awaiting=on") == ["Orphan Shop"]
    assert sorted(shops("?month=2026-10&status=draft")) == ["Full Shop 1", "Night Shop 1"]
    bad = manager_client.get(INVOICES + "?month=soon")
    assert bad.status_code == 200
    assert "Enter the month as YYYY-MM, for example 2026-10." in bad.content.decode()


@pytest.mark.django_db
def test_invoice_list_costs_the_same_queries_for_few_and_many(manager_client, agency, owner_a):
    small = count_queries(manager_client, INVOICES)
    grow_agency(agency, owner_a, seats=20)
    assert count_queries(manager_client, INVOICES) == small <= 5


@pytest.mark.django_db
def test_issue_pay_and_void_through_the_billing_services(manager_client, manager, agency):
    invoice = agency.invoices[0]  # an October draft of a full-day shop
    # Issuing recomputes the draft: its commission needs the month's confirmed turnover.
    TurnoverReportFactory(shop=invoice.shop, month=OCTOBER, status="confirmed")
    # October is issued once it has ended (the session of 2026-10-15 has expired by then).
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        manager_client.force_login(manager)
        manager_client.post(reverse("web:invoice-issue", args=[invoice.pk]))
        invoice.refresh_from_db()
        assert invoice.status == "issued" and invoice.number == "INV-2026-000001"
        response = manager_client.post(
            reverse("web:invoice-pay", args=[invoice.pk]), {"next": INVOICES}, follow=True
        )
        invoice.refresh_from_db()
        assert invoice.status == "paid"
        assert "Invoice INV-2026-000001 marked paid." in response.content.decode()
        refused = manager_client.post(
            reverse("web:invoice-void", args=[invoice.pk]), {"reason": "Billed twice"}, follow=True
        )
        assert "A paid invoice cannot be voided" in refused.content.decode()
        invoice.refresh_from_db()
        assert invoice.status == "paid"


@pytest.mark.django_db
def test_an_invoice_awaiting_turnover_cannot_be_issued(manager_client, agency):
    awaiting = Invoice.objects.get(awaiting_turnover=True)
    page = manager_client.get(reverse("web:invoice-detail", args=[awaiting.pk])).content.decode()
    assert reverse("web:invoice-issue", args=[awaiting.pk]) not in page  # no button offered
    response = manager_client.post(reverse("web:invoice-issue", args=[awaiting.pk]), follow=True)
    assert "confirm the turnover before issuing it" in response.content.decode()
    awaiting.refresh_from_db()
    assert awaiting.status == "draft"


@pytest.mark.django_db
def test_invoice_pages_link_the_pdf_and_the_months_csv(manager_client, agency):
    invoice = agency.invoices[0]
    html = manager_client.get(INVOICES + "?month=2026-10").content.decode()
    assert f"/api/v1/invoices/{invoice.pk}/pdf/" in html
    assert "/api/v1/invoices/export/?month=2026-10" in html
    assert manager_client.get("/api/v1/invoices/export/?month=2026-10").status_code == 200


@pytest.mark.django_db
def test_invoice_detail_lists_lines_and_total(manager_client, agency):
    invoice = agency.invoices[0]
    response = manager_client.get(reverse("web:invoice-detail", args=[invoice.pk]))
    assert [line.amount for line, _ in response.context["lines"]] == [Decimal("1000.10")]
    assert "1,000.10" in response.content.decode()


@pytest.mark.django_db
def test_a_new_month_of_turnover_is_offered_for_confirmation(manager_client, agency):
    shop = agency.shops[1]
    TurnoverReportFactory(shop=shop, month=OCTOBER, amount=Decimal("5.00"))
    TurnoverReportFactory(
        shop=shop, month=dt.date(2026, 8, 1), amount=Decimal("5.00"), status="confirmed"
    )
    listed = manager_client.get(BILLING).context["turnover_reports"]
    assert [(r.shop.name, r.month) for r in listed] == [
        ("Full Shop 1", SEPTEMBER),
        ("Night Shop 1", OCTOBER),
    ]


@pytest.mark.django_db
def test_an_issued_invoice_can_be_voided_to_be_billed_again(manager_client, agency):
    other = InvoiceFactory(month=dt.date(2026, 7, 1), status="issued", number="INV-2026-000077")
    manager_client.post(reverse("web:invoice-void", args=[other.pk]), {"reason": "Wrong plan"})
    other.refresh_from_db()
    assert (other.status, other.void_reason) == ("void", "Wrong plan")


# --- Correcting the turnover behind a draft ---------------------------------------------------


def _billed_draft(turnover: str = "100000.00"):
    shop = ShopFactory(name="Correction shop")
    monthly_contract(shop)
    report = confirmed_turnover(shop, turnover, month=SEPTEMBER)
    bill_month(month=SEPTEMBER)
    return Invoice.objects.get(shop=shop, month=SEPTEMBER, status="draft"), report


def _turnover_url(invoice) -> str:
    return reverse("web:invoice-turnover", args=[invoice.pk])


@pytest.mark.django_db
def test_a_drafts_page_offers_to_correct_its_confirmed_turnover(manager_client):
    draft, _ = _billed_draft()
    response = manager_client.get(reverse("web:invoice-detail", args=[draft.pk]))
    page = response.content.decode()
    assert "100,000.00 CNY" in page
    assert response.context["turnover_form"].initial == {"amount": Decimal("100000.00")}
    assert f'action="{_turnover_url(draft)}"' in page


@pytest.mark.django_db
def test_correcting_the_turnover_recomputes_the_draft(manager_client, manager):
    draft, report = _billed_draft()

    response = manager_client.post(_turnover_url(draft), {"amount": "300000.00"}, follow=True)

    assert response.redirect_chain == [(reverse("web:invoice-detail", args=[draft.pk]), 302)]
    assert "corrected; the draft is recomputed." in response.content.decode()
    report.refresh_from_db()
    draft.refresh_from_db()
    assert (report.amount, report.status) == (Decimal("300000.00"), "confirmed")
    assert draft.total == Decimal("10000.00")


@pytest.mark.django_db
def test_a_bad_turnover_is_a_form_error_on_the_invoice_page(manager_client):
    draft, report = _billed_draft()

    response = manager_client.post(_turnover_url(draft), {"amount": "-1"})

    assert response.status_code == 400
    assert response.context["turnover_form"].errors["amount"]
    report.refresh_from_db()
    assert report.amount == Decimal("100000.00")


@pytest.mark.django_db
def test_the_turnover_behind_an_issued_invoice_is_refused_on_the_form(manager_client, manager):
    draft, report = _billed_draft()
    issued = invoice_issue(invoice_id=draft.pk, actor=manager)
    page = manager_client.get(reverse("web:invoice-detail", args=[issued.pk]))
    assert "turnover_form" not in page.context
    assert "void the invoice first" in page.content.decode()

    response = manager_client.post(_turnover_url(issued), {"amount": "300000.00"})

    assert response.status_code == 400
    assert "was issued with this turnover and never changes" in response.content.decode()
    report.refresh_from_db()
    assert report.amount == Decimal("100000.00")


@pytest.mark.django_db
def test_a_submitted_turnover_corrected_on_a_draft_still_waits_for_confirmation(
    manager_client,
):
    shop = ShopFactory(name="Awaiting shop")
    monthly_contract(shop)
    report = TurnoverReportFactory(shop=shop, month=SEPTEMBER, amount=Decimal("100.00"))
    bill_month(month=SEPTEMBER)
    draft = Invoice.objects.get(shop=shop, month=SEPTEMBER)

    response = manager_client.post(_turnover_url(draft), {"amount": "200.00"}, follow=True)

    assert "corrected; confirm it to bill it." in response.content.decode()
    report.refresh_from_db()
    draft.refresh_from_db()
    assert (report.amount, report.status, draft.awaiting_turnover) == (
        Decimal("200.00"),
        "submitted",
        True,
    )


@pytest.mark.django_db
def test_a_void_invoices_turnover_is_not_corrected_from_it(manager_client, manager):
    draft, report = _billed_draft()
    invoice_void(invoice_id=draft.pk, actor=manager, reason="Billed on the wrong contract")

    response = manager_client.post(_turnover_url(draft), {"amount": "300000.00"})

    assert response.status_code == 400
    assert "This invoice is void" in response.content.decode()
    report.refresh_from_db()
    assert report.amount == Decimal("100000.00")
