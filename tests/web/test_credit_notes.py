"""Credit notes in the manager app: the form on the invoice page, the step that says what will
happen, the note issued only when confirmed, the list of notes, no void once an invoice is paid or
credited, and the red-letter flag on the fapiao requests."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import CreditNote, FapiaoRequest
from billing.services import credit_note_create, invoice_pay, shop_credit_balance
from tests.web.test_invoice_void import issued_september

pytestmark = pytest.mark.django_db


def credit_url(invoice) -> str:
    return reverse("web:invoice-credit-note", args=[invoice.pk])


def detail_url(invoice) -> str:
    return reverse("web:invoice-detail", args=[invoice.pk])


def test_the_invoice_page_offers_a_credit_note_form(manager_client, manager):
    issued = issued_september(manager)
    page = manager_client.get(detail_url(issued)).content.decode()
    assert 'id="credit-notes"' in page
    assert f'action="{credit_url(issued)}"' in page
    assert 'name="amount"' in page and 'name="reason"' in page
    assert "No credit notes on this invoice." in page


def test_the_first_post_shows_what_will_happen_and_issues_nothing(manager_client, manager):
    issued = invoice_pay(invoice_id=issued_september(manager).pk, actor=manager)
    FapiaoRequest.objects.create(
        invoice=issued,
        type="general",
        status="issued",
        buyer_name="Harbour Kites Ltd",
        tax_id="91350100M000100Y43",
        fapiao_number="12345678",
        fapiao_date=dt.date(2026, 10, 12),
    )
    response = manager_client.post(
        credit_url(issued), {"amount": "1200.00", "reason": "Down for 12 days"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert not CreditNote.objects.exists()
    assert "1,200.00 becomes the credit of Harbour Kites" in page
    assert "red-letter fapiao" in page
    assert 'name="confirm" value="1"' in page
    assert "Issue credit note</button>" in page


def test_confirming_issues_the_note_and_reduces_the_balance(manager_client, manager):
    issued = issued_september(manager)
    preview = manager_client.post(
        credit_url(issued), {"amount": "500.00", "reason": "Two days not served"}
    ).content.decode()
    assert "the balance is reduced by 500.00" in preview
    assert "red-letter" not in preview
    response = manager_client.post(
        credit_url(issued), {"amount": "500.00", "reason": "Two days not served", "confirm": "1"}
    )
    assert response.status_code == 302 and response["Location"] == detail_url(issued)
    note = CreditNote.objects.get()
    assert note.amount == Decimal("500.00") and note.applied == Decimal("500.00")
    issued.refresh_from_db()
    assert issued.amount_credited == Decimal("500.00")
    page = manager_client.get(detail_url(issued)).content.decode()
    assert note.number in page
    assert reverse("api:credit-note-pdf", args=[note.pk]) in page
    # With a credit note the invoice is not voided: a credit note corrects it.
    assert reverse("web:invoice-void", args=[issued.pk]) not in page
    assert "a credit note corrects it" in page


def test_more_than_left_to_credit_is_an_error_on_the_amount(manager_client, manager):
    issued = issued_september(manager)
    response = manager_client.post(
        credit_url(issued), {"amount": "99999.00", "reason": "x", "confirm": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "is left to credit" in page
    assert not CreditNote.objects.exists()


def test_a_blank_reason_is_a_form_error(manager_client, manager):
    issued = issued_september(manager)
    response = manager_client.post(credit_url(issued), {"amount": "10.00", "reason": ""})
    assert response.status_code == 400
    assert "Say why the invoice is credited." in response.content.decode()


def test_a_draft_is_not_credited(manager_client, agency):
    draft = agency.invoices[0]
    response = manager_client.get(credit_url(draft))
    assert response.status_code == 302
    response = manager_client.post(credit_url(draft), {"amount": "10.00", "reason": "x"})
    assert response.status_code == 400
    assert not CreditNote.objects.exists()


def test_the_void_page_sends_a_credited_invoice_back_to_its_credit_notes(manager_client, manager):
    issued = issued_september(manager)
    credit_note_create(invoice_id=issued.pk, amount="10.00", reason="x", actor=manager)
    response = manager_client.get(reverse("web:invoice-void", args=[issued.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith("#credit-notes")


def test_the_list_filters_and_costs_the_same_queries_for_2_or_12_notes(
    manager_client, manager, django_assert_max_num_queries
):
    def notes(count, *, name):
        for number in range(count):
            invoice = issued_september(manager, name=f"{name} {number}")
            credit_note_create(invoice_id=invoice.pk, amount="10.00", reason="x", actor=manager)

    notes(2, name="Kites")
    url = reverse("web:credit-note-list")
    with django_assert_max_num_queries(20) as few:
        page = manager_client.get(url).content.decode()
    assert "2 credit notes" in page
    notes(10, name="Lanterns")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = manager_client.get(url).content.decode()
    assert "12 credit notes" in page
    page = manager_client.get(url + "?q=Kites").content.decode()
    assert "2 credit notes" in page
    page = manager_client.get(url + "?red_letter=on").content.decode()
    assert "No credit notes match." in page
    assert (
        'href="/credit-notes/"' in manager_client.get(reverse("web:payment-list")).content.decode()
    )


def test_the_fapiao_list_flags_invoices_that_need_a_red_letter_fapiao(manager_client, manager):
    issued = issued_september(manager)
    FapiaoRequest.objects.create(
        invoice=issued,
        type="general",
        status="issued",
        buyer_name="Harbour Kites Ltd",
        tax_id="91350100M000100Y43",
        fapiao_number="12345678",
        fapiao_date=dt.date(2026, 10, 12),
    )
    page = manager_client.get(reverse("web:fapiao-list")).content.decode()
    assert "Red-letter fapiao needed" not in page
    note = credit_note_create(invoice_id=issued.pk, amount="10.00", reason="x", actor=manager)
    assert note.red_letter_fapiao_needed
    page = manager_client.get(reverse("web:fapiao-list")).content.decode()
    assert "Red-letter fapiao needed" in page
    assert shop_credit_balance(shop_id=issued.shop_id) == 0
