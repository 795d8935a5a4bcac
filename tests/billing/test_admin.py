"""The billing admin: invoices and runs through the services."""

import pytest
from django.test import Client
from django.urls import reverse

from billing.models import BillingRun, Invoice, InvoiceSequence
from billing.services import bill_month
from tests.billing.factories import OCTOBER, confirmed_turnover, monthly_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_for_manager(manager):
    client = Client()
    client.force_login(manager)
    return client


def test_an_owner_cannot_open_the_billing_admin(owner_a):
    client = Client()
    client.force_login(owner_a)
    response = client.get(reverse("admin:billing_invoice_changelist"))
    assert response.status_code == 302  # to the admin login: owners are not staff


# --- Invoices ---------------------------------------------------------------------------------


@pytest.fixture
def drafts(shop_a, shop_b):
    monthly_contract(shop_a)
    confirmed_turnover(shop_a, "100000.00")
    monthly_contract(shop_b)  # awaits turnover
    bill_month(month=OCTOBER)
    return Invoice.objects.get(shop=shop_a), Invoice.objects.get(shop=shop_b)


def test_invoice_pages_show_the_lines_read_only(admin_client_for_manager, drafts):
    ready, _ = drafts
    changelist = admin_client_for_manager.get(reverse("admin:billing_invoice_changelist"))
    assert changelist.status_code == 200
    page = admin_client_for_manager.get(reverse("admin:billing_invoice_change", args=[ready.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "31 of 31 days x 3,000.00" in html
    assert 'name="lines-0-description"' not in html  # read-only, no inputs
    history = admin_client_for_manager.get(
        reverse("admin:billing_invoice_history", args=[ready.pk])
    )
    assert history.status_code == 200


def test_admin_actions_issue_pay_and_void_through_the_services(admin_client_for_manager, drafts):
    ready, waiting = drafts
    url = reverse("admin:billing_invoice_changelist")

    response = admin_client_for_manager.post(
        url, {"action": "issue", "_selected_action": [ready.pk, waiting.pk]}, follow=True
    )

    messages = [str(m) for m in response.context["messages"]]
    assert "1 invoice issued." in messages
    assert any("awaits the shop's confirmed turnover" in m for m in messages)
    ready.refresh_from_db()
    waiting.refresh_from_db()
    assert (ready.status, waiting.status) == ("issued", "draft")
    assert ready.number.startswith("INV-")

    admin_client_for_manager.post(url, {"action": "pay", "_selected_action": [ready.pk]})
    selected = {"action": "void", "_selected_action": [ready.pk, waiting.pk]}
    asked = admin_client_for_manager.post(url, selected)
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    admin_client_for_manager.post(url, {**selected, "apply": "1", "reason": "Billed twice"})
    ready.refresh_from_db()
    waiting.refresh_from_db()
    assert (ready.status, waiting.status) == ("paid", "void")
    assert waiting.void_reason == "Billed twice"


def test_the_admin_asks_why_before_voiding_and_refuses_a_blank_reason(
    admin_client_for_manager, drafts
):
    ready, _ = drafts
    url = reverse("admin:billing_invoice_changelist")
    selected = {"action": "void", "_selected_action": [ready.pk]}

    asked = admin_client_for_manager.post(url, selected)
    page = asked.content.decode()
    assert asked.status_code == 200
    assert f'name="_selected_action" value="{ready.pk}"' in page
    assert "Why are these invoices voided?" in page

    refused = admin_client_for_manager.post(url, {**selected, "apply": "1", "reason": "  "})
    assert refused.status_code == 200
    assert "Say why the invoice is voided." in refused.content.decode()
    ready.refresh_from_db()
    assert ready.status == "draft"


# --- Runs and numbering -----------------------------------------------------------------------


def test_a_run_can_be_started_again_from_the_admin(
    admin_client_for_manager, shop_a, django_capture_on_commit_callbacks
):
    monthly_contract(shop_a)
    first = BillingRun.objects.create(month=OCTOBER, status="done", invoices_created=1)
    url = reverse("admin:billing_billingrun_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_for_manager.post(
            url, {"action": "rerun", "_selected_action": [first.pk]}
        )

    assert response.status_code == 302
    rerun = BillingRun.objects.exclude(pk=first.pk).get()
    assert (rerun.month, rerun.status, rerun.invoices_created) == (OCTOBER, "done", 1)
    page = admin_client_for_manager.get(reverse("admin:billing_billingrun_change", args=[rerun.pk]))
    assert page.status_code == 200
    assert 'name="month"' not in page.content.decode()  # read-only


def test_runs_and_sequences_cannot_be_edited_in_the_admin(admin_client_for_manager):
    InvoiceSequence.objects.create(year=2026, last_number=3)
    assert (
        admin_client_for_manager.get(
            reverse("admin:billing_invoicesequence_changelist")
        ).status_code
        == 200
    )
    assert admin_client_for_manager.get(reverse("admin:billing_billingrun_add")).status_code == 403
    assert admin_client_for_manager.get(reverse("admin:billing_invoice_add")).status_code == 403
    assert (
        admin_client_for_manager.get(reverse("admin:billing_invoicesequence_add")).status_code
        == 403
    )
