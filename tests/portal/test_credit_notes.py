"""Credit notes in the portal: the owner's invoice page lists them with their PDFs, and the
shop's credit balance shows once there is one."""

import pytest
from django.urls import reverse

from billing.services import credit_note_create, invoice_pay
from tests.factories import ManagerFactory

pytestmark = pytest.mark.django_db


def invoice_url(invoice) -> str:
    return reverse("portal:invoice", kwargs={"pk": invoice.pk})


def shop_url(shop) -> str:
    return reverse("portal:shop", kwargs={"pk": shop.pk})


def test_an_invoice_without_credit_notes_shows_none(owner_a_client, served_a):
    page = owner_a_client.get(invoice_url(served_a.invoice)).content.decode()
    assert 'id="credit-notes"' not in page
    assert "Your credit balance" not in page


def test_the_owner_reads_the_credit_notes_of_an_invoice_with_their_pdfs(owner_a_client, served_a):
    manager = ManagerFactory()
    note = credit_note_create(
        invoice_id=served_a.invoice.pk, amount="96.78", reason="Two hours down", actor=manager
    )
    page = owner_a_client.get(invoice_url(served_a.invoice)).content.decode()
    assert 'id="credit-notes"' in page
    assert note.number in page and "96.78" in page and "Two hours down" in page
    assert reverse("api:credit-note-pdf", args=[note.pk]) in page
    assert "Your credit balance" not in page  # it only reduced what is owed
    assert (
        owner_a_client.get(reverse("api:credit-note-pdf", args=[note.pk]) + "?lang=xx").status_code
        == 400
    )


def test_a_credit_on_a_paid_invoice_shows_as_the_shops_credit_balance(
    owner_a_client, zh_client, served_a
):
    manager = ManagerFactory()
    paid = invoice_pay(invoice_id=served_a.invoice.pk, actor=manager)
    credit_note_create(invoice_id=paid.pk, amount="1000.00", reason="Down", actor=manager)
    page = owner_a_client.get(invoice_url(paid)).content.decode()
    assert "Your credit balance: 1,000.00 CNY" in page
    page = owner_a_client.get(shop_url(served_a.shop)).content.decode()
    assert "Your credit balance: 1,000.00 CNY" in page
    page = zh_client.get(shop_url(served_a.shop)).content.decode()
    assert "账户余额" in page and "1,000.00" in page


def test_another_owner_sees_none_of_it(owner_b_client, served_a, served_b):
    manager = ManagerFactory()
    note = credit_note_create(
        invoice_id=served_a.invoice.pk, amount="10.00", reason="x", actor=manager
    )
    assert owner_b_client.get(invoice_url(served_a.invoice)).status_code == 404
    assert owner_b_client.get(reverse("api:credit-note-pdf", args=[note.pk])).status_code == 404
    page = owner_b_client.get(invoice_url(served_b.invoice)).content.decode()
    assert note.number not in page
