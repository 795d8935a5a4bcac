"""A void invoice tells its owner why, on the invoice page and on its PDF."""

import pytest
from django.urls import reverse
from django.utils import translation

from billing.documents import render_invoice_html
from billing.services import invoice_void

pytestmark = pytest.mark.django_db
REASON = "Billed on the wrong contract; a corrected invoice follows."


def voided(served, manager, reason: str = REASON):
    invoice = invoice_void(invoice_id=served.invoice.pk, actor=manager, reason=reason)
    invoice.refresh_from_db()
    return invoice


def invoice_page(client, invoice) -> str:
    response = client.get(reverse("portal:invoice", kwargs={"pk": invoice.pk}))
    assert response.status_code == 200
    return response.content.decode()


def test_the_owner_reads_why_the_invoice_was_voided(owner_a_client, served_a, manager):
    invoice = voided(served_a, manager)
    page = invoice_page(owner_a_client, invoice)
    assert f"VOID: {REASON}" in page
    assert "you do not owe it" in page


def test_the_owner_reads_it_in_chinese(zh_client, served_a, manager):
    invoice = voided(served_a, manager, reason="营业额填报有误，将重新出账。")
    page = invoice_page(zh_client, invoice)
    assert "已作废：营业额填报有误，将重新出账。" in page
    assert "VOID:" not in page


def test_the_reason_is_escaped_on_the_page(owner_a_client, served_a, manager):
    invoice = voided(served_a, manager, reason='<script>alert("x")</script>')
    page = invoice_page(owner_a_client, invoice)
    assert "<script>alert" not in page
    assert "VOID: &lt;script&gt;" in page


def test_a_live_invoice_shows_no_void_line(owner_a_client, served_a):
    assert "VOID:" not in invoice_page(owner_a_client, served_a.invoice)


def test_the_pdf_says_void_and_why(served_a, manager):
    assert "VOID:" not in render_invoice_html(served_a.invoice)
    invoice = voided(served_a, manager)
    assert f"VOID: {REASON}" in render_invoice_html(invoice)
    with translation.override("zh-hans"):
        assert f"已作废：{REASON}" in render_invoice_html(invoice)
