"""Voiding in the manager app goes through a page that asks why; a void invoice offers to bill
its month again; every other irreversible action asks in a confirm dialog first."""

import html
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.urls import reverse

from billing.models import Invoice
from billing.services import bill_month, invoice_issue, invoice_void
from tests.billing.factories import confirmed_turnover, monthly_contract
from tests.factories import ShopFactory, TurnoverReportFactory, UserFactory
from tests.web.conftest import OCTOBER, SEPTEMBER

pytestmark = pytest.mark.django_db
REASON = "The September turnover was misreported."


def issued_september(manager, *, name="Harbour Kites", owner=None) -> Invoice:
    """An issued invoice for September (the month has ended: it is 2026-10-15)."""
    shop = ShopFactory(name=name, **({"owner": owner} if owner else {}))
    monthly_contract(shop)
    confirmed_turnover(shop, "100000.00", month=SEPTEMBER)
    bill_month(month=SEPTEMBER)
    draft = Invoice.objects.get(shop=shop, month=SEPTEMBER)
    return invoice_issue(invoice_id=draft.pk, actor=manager)


def void_url(invoice) -> str:
    return reverse("web:invoice-void", args=[invoice.pk])


def detail_url(invoice) -> str:
    return reverse("web:invoice-detail", args=[invoice.pk])


# --- The void page ----------------------------------------------------------------------------


def test_the_void_button_leads_to_the_void_page(manager_client, manager):
    issued = issued_september(manager)
    page = manager_client.get(detail_url(issued)).content.decode()
    assert f'href="{void_url(issued)}"' in page
    assert "Void…" in page
    assert f'action="{void_url(issued)}"' not in page  # no one-click void any more


def test_the_void_page_shows_the_invoice_and_asks_why(manager_client, manager):
    issued = issued_september(manager)
    response = manager_client.get(void_url(issued))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>Void invoice {issued.number}</h1>" in page
    assert "Harbour Kites" in page and "6,000.00" in page
    assert '<textarea name="reason"' in page
    assert "Void invoice</button>" in page
    assert "the owner is emailed the reason" in page


def test_a_void_without_a_reason_is_a_form_error_and_voids_nothing(manager_client, manager):
    issued = issued_september(manager)
    for reason in ("", "   "):
        response = manager_client.post(void_url(issued), {"reason": reason})
        assert response.status_code == 400
        assert response.context["form"].errors["reason"] == ["Say why the invoice is voided."]
        assert "Say why the invoice is voided." in response.content.decode()
    issued.refresh_from_db()
    assert issued.status == "issued"
    assert mail.outbox == []


def test_a_void_with_a_reason_voids_and_goes_back_to_the_invoice(
    manager_client, manager, django_capture_on_commit_callbacks
):
    issued = issued_september(manager)
    issued.shop.owner.language = "en"
    issued.shop.owner.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(void_url(issued), {"reason": REASON}, follow=True)

    assert response.redirect_chain == [(detail_url(issued), 302)]
    page = response.content.decode()
    assert f"Invoice {issued.number} voided; the owner gets an email with the reason." in page
    assert f"VOID: {REASON}" in page
    issued.refresh_from_db()
    assert (issued.status, issued.void_reason) == ("void", REASON)
    assert f"Invoice {issued.number} voided" in mail.outbox[-1].subject


def test_a_paid_invoice_has_no_void_page(manager_client, manager):
    paid = issued_september(manager)
    Invoice.objects.filter(pk=paid.pk).update(status="paid")
    response = manager_client.get(void_url(paid), follow=True)
    assert response.redirect_chain == [(detail_url(paid), 302)]
    assert "Only a draft or an issued invoice can be voided; this one is Paid." in (
        response.content.decode()
    )


def test_the_void_page_of_another_invoice_is_404(manager_client):
    assert manager_client.get(reverse("web:invoice-void", args=[999_999])).status_code == 404


# --- Billing the month again ------------------------------------------------------------------


def test_a_void_invoice_offers_to_bill_its_month_again_and_that_makes_a_draft(
    manager_client, manager
):
    issued = issued_september(manager)
    invoice_void(invoice_id=issued.pk, actor=manager, reason=REASON)
    rebill = reverse("web:invoice-rebill", args=[issued.pk])
    page = manager_client.get(detail_url(issued)).content.decode()
    assert f'action="{rebill}"' in page
    assert "Bill September 2026 again for Harbour Kites</button>" in page

    response = manager_client.post(rebill, follow=True)

    draft = Invoice.objects.get(shop=issued.shop, month=SEPTEMBER, status="draft")
    assert response.redirect_chain == [(detail_url(draft), 302)]
    assert "September 2026 billed again for Harbour Kites: here is the new draft." in (
        response.content.decode()
    )
    assert draft.total == issued.total
    # The void invoice now points to the month's current invoice instead.
    page = manager_client.get(detail_url(issued)).content.decode()
    assert f'action="{rebill}"' not in page
    assert f'<a href="{detail_url(draft)}">the current September 2026 invoice</a>' in page


def test_a_refused_rebill_says_why_on_the_void_invoice(manager_client, manager):
    issued = issued_september(manager)
    invoice_void(invoice_id=issued.pk, actor=manager, reason=REASON)
    issued.shop.contracts.update(start_date=OCTOBER)  # no contract in September any more
    response = manager_client.post(reverse("web:invoice-rebill", args=[issued.pk]), follow=True)
    assert response.redirect_chain == [(detail_url(issued), 302)]
    assert "Harbour Kites has no contract active in 2026-09" in response.content.decode()
    assert not Invoice.objects.filter(shop=issued.shop, status="draft").exists()


# --- Confirm before every irreversible action -------------------------------------------------


def confirm_of(page: str, action: str) -> str:
    """The data-confirm message of the form posting to ``action``."""
    start = page.index(f'action="{action}"')
    tag = page[page.rindex("<form", 0, start) : page.index(">", start)]
    marker = 'data-confirm="'
    assert marker in tag, tag
    value = tag[tag.index(marker) + len(marker) :]
    return html.unescape(value[: value.index('"')])


def test_the_confirm_script_is_a_static_file_on_every_page(manager_client):
    page = manager_client.get("/").content.decode()
    assert '<script src="/static/js/confirm.js" defer></script>' in page
    assert finders.find("js/confirm.js") is not None


def test_issuing_and_marking_paid_ask_first_naming_the_invoice(manager_client, manager):
    issued = issued_september(manager)
    shop = ShopFactory(name="小鹿童装")
    monthly_contract(shop)
    confirmed_turnover(shop, "1000.00", month=SEPTEMBER)
    bill_month(month=SEPTEMBER)
    draft = Invoice.objects.get(shop=shop)

    page = manager_client.get(detail_url(draft)).content.decode()
    assert confirm_of(page, reverse("web:invoice-issue", args=[draft.pk])) == (
        "Issue the September 2026 invoice of 小鹿童装? Issued invoices never change."
    )
    assert "Issue…</button>" in page
    page = manager_client.get(detail_url(issued)).content.decode()
    assert confirm_of(page, reverse("web:invoice-pay", args=[issued.pk])) == (
        f"Mark invoice {issued.number} of Harbour Kites paid? "
        "A paid invoice can no longer be voided."
    )
    assert "Mark paid…</button>" in page


def test_confirming_turnover_and_running_billing_ask_first(manager_client, agency):
    report = agency.turnover[0]  # Full Shop 1, 2026-09, 120,000.00, submitted
    page = manager_client.get(reverse("web:billing")).content.decode()
    assert confirm_of(page, reverse("web:turnover-confirm", args=[report.pk])) == (
        "Confirm the September 2026 turnover of Full Shop 1, 120,000.00 CNY? "
        "It is billed as it is, and the owner can no longer change it."
    )
    assert "Confirm…</button>" in page
    # The run form posts to the page itself; its question names the month entered.
    run_form = page[page.index('<form method="post" class="form-inline"') :]
    assert 'data-confirm="Bill {month}? ' in run_form[: run_form.index(">")]
    assert "Bill this month…</button>" in page

    shop_page = manager_client.get(reverse("web:shop-detail", args=[report.shop.pk]))
    shop_html = shop_page.content.decode()
    assert confirm_of(shop_html, reverse("web:turnover-confirm", args=[report.pk])).startswith(
        "Confirm the September 2026 turnover of Full Shop 1, 120,000.00 CNY?"
    )
    entry = confirm_of(shop_html, reverse("web:shop-turnover", args=[report.shop.pk]))
    assert entry.startswith("Enter and confirm the {month} turnover of Full Shop 1, {amount} CNY?")
    assert 'data-confirm-if="confirm"' in shop_html


def test_ending_an_assignment_asks_first_naming_agent_and_seat(manager_client, agency):
    seat = agency.seats[0]
    assignment = seat.assignments.get(shift="day")
    page = manager_client.get(reverse("web:seat-board")).content.decode()
    assert confirm_of(page, reverse("web:assignment-end", args=[assignment.pk])) == (
        "End the assignment of Day Agent 1 to seat S001 (Day (09:00-17:00)) with {end_date} "
        "as the last day? The seat-shift is free after that day."
    )
    assert "End…</button>" in page


def test_buttons_name_the_action_not_the_state_in_chinese(manager_client, manager):
    owner = UserFactory(username="xiaolu")
    issued = issued_september(manager, name="小鹿童装", owner=owner)
    TurnoverReportFactory(shop=issued.shop, month=OCTOBER, amount=Decimal("5.00"))
    manager_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})

    page = manager_client.get(detail_url(issued)).content.decode()
    assert "作废…</a>" in page and "标记已付…</button>" in page
    assert "已作废" not in page  # the button names the action, not the state
    assert confirm_of(page, reverse("web:invoice-pay", args=[issued.pk])) == (
        f"将小鹿童装的账单 {issued.number} 标记为已付款？已付款的账单不能再作废。"
    )
    void_page = manager_client.get(void_url(issued)).content.decode()
    assert f"<h1>作废账单 {issued.number}</h1>" in void_page
    assert "为什么作废此账单？" in void_page

    invoice_void(invoice_id=issued.pk, actor=manager, reason="营业额填报有误")
    page = manager_client.get(detail_url(issued)).content.decode()
    assert "已作废：营业额填报有误" in page
    assert "为小鹿童装重新出账 2026年9月</button>" in page
