"""Invoices in the portal: every line explained, the commission statement, the PDF.

The lines are computed by ``billing.services.lines.invoice_figures``, so their ``details`` are
those of a real billing run. Reference figures (DOMAIN.md): a full-day contract from 2026-10-11
is active 21 of October's 31 days; 3,000 x 21/31 = 2,032.26; turnover 300,000.00 is attributed
300,000 x 21/31 = 203,225.81; graduated: 100,000 x 3 % + 103,225.81 x 2 % = 5,064.52.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from agency.choices import Plan, Shift
from billing.documents import PdfUnavailable, commission_statement, pdf_rendering_unavailable
from billing.models import InvoiceLine
from tests.factories import ContractFactory
from tests.portal.factories import CONTRACT_START, OCTOBER, make_invoice, shanghai

pytestmark = pytest.mark.django_db


def invoice_url(invoice) -> str:
    return reverse("portal:invoice", kwargs={"pk": invoice.pk})


def pdf_url(invoice) -> str:
    return reverse("portal:invoice-pdf", kwargs={"pk": invoice.pk})


def test_the_invoice_reference_figures(served_a):
    invoice = served_a.invoice
    amounts = {line.kind: line.amount for line in invoice.lines.all()}
    assert amounts == {"base_fee": Decimal("2032.26"), "commission": Decimal("5064.52")}
    assert invoice.total == Decimal("7096.78")


def test_every_line_is_explained(owner_a_client, served_a):
    content = owner_a_client.get(invoice_url(served_a.invoice)).content.decode()
    assert "21 of 31 days x 3,000.00" in content
    assert "2,032.26" in content
    # The commission is worked out in its statement, and only there: each figure once.
    assert "See the commission statement" in content
    for figure in ("203,225.81", "103,225.81", "2,064.52"):
        assert content.count(figure) == 1, figure
    assert "7,096.78" in content


def test_the_commission_statement_lets_the_owner_check_the_figure(owner_a_client, served_a):
    content = owner_a_client.get(invoice_url(served_a.invoice)).content.decode()
    statement = content[content.index("Commission statement</h2>") :]
    for text in (
        "Turnover confirmed for October 2026",
        "300,000.00",
        "21 of 31 days",
        "300,000.00 × 21 / 31 = <strong>203,225.81</strong>",
        "graduated: each slice of turnover at its own rate",
        "0.00 to 100,000.00",
        "× 3%",
        "= 3,000.00",
        "100,000.00 to 500,000.00",
        "103,225.81",
        "× 2%",
        "= 2,064.52",
        "5,064.52",
    ):
        assert text in statement, text


def test_the_statement_reads_the_lines_details(served_a):
    line = served_a.invoice.lines.get(kind=InvoiceLine.Kind.COMMISSION)
    statement = commission_statement(line, OCTOBER)
    assert statement is not None
    assert (statement.turnover, statement.attributed_turnover) == (
        Decimal("300000.00"),
        Decimal("203225.81"),
    )
    assert (statement.active_days, statement.days_in_month, statement.prorated) == (21, 31, True)
    assert [(s.lower, s.upper, s.rate, s.amount) for s in statement.slices] == [
        (Decimal("0.00"), Decimal("100000.00"), Decimal("0.0300"), Decimal("100000.00")),
        (Decimal("100000.00"), Decimal("500000.00"), Decimal("0.0200"), Decimal("103225.81")),
    ]
    assert statement.exact_total == Decimal("5064.5162")
    assert statement.total == Decimal("5064.52")


def test_a_flat_commission_over_a_whole_month(owner_a_client, shop_a):
    contract = ContractFactory(
        shop=shop_a,
        plan=Plan.SHIFT,
        shift=Shift.DAY,
        price=Decimal("1500.00"),
        start_date=dt.date(2026, 1, 1),
        commission_mode="flat",
    )
    invoice = make_invoice(shop_a, [contract], turnover=Decimal("300000.00"))
    assert invoice.total == Decimal("7500.00")  # 1,500 + 300,000 x 2 %
    content = owner_a_client.get(invoice_url(invoice)).content.decode()
    statement = content[content.index("Commission statement</h2>") :]
    assert "31 of 31 days" in statement and "(the whole month)" in statement
    assert "flat: the whole turnover" in statement
    assert "100,000.00 to 500,000.00" in statement and "300,000.00" in statement
    assert "= 6,000.00" in statement
    assert "31 of 31 days x 1,500.00" in content


def test_a_day_plan_line_is_explained_without_a_statement(owner_a_client, shop_a):
    contract = ContractFactory(
        shop=shop_a,
        plan=Plan.TEMPORARY,
        price=Decimal("100.00"),
        commission_tiers=[],
        start_date=dt.date(2026, 10, 5),
        end_date=dt.date(2026, 10, 9),
    )
    invoice = make_invoice(shop_a, [contract])
    content = owner_a_client.get(invoice_url(invoice)).content.decode()
    assert "5 service days (2026-10-05 to 2026-10-09) x 100.00" in content
    assert "500.00" in content
    assert "Commission statement" not in content


def test_unreadable_details_show_the_description_and_no_statement(owner_a_client, shop_a):
    def unreadable(draft) -> None:  # as an older billing run might have written them
        draft.lines.filter(kind=InvoiceLine.Kind.COMMISSION).update(details={"turnover": "oops"})

    contract = ContractFactory(shop=shop_a, start_date=CONTRACT_START, price=Decimal("3000.00"))
    invoice = make_invoice(
        shop_a, [contract], turnover=Decimal("300000.00"), before_issue=unreadable
    )
    line = invoice.lines.get(kind=InvoiceLine.Kind.COMMISSION)
    assert commission_statement(line, OCTOBER) is None
    content = owner_a_client.get(invoice_url(invoice)).content.decode()
    assert line.description in content
    assert "Commission statement</h2>" not in content


def test_details_that_disagree_with_the_amount_give_no_statement(served_a):
    line = served_a.invoice.lines.get(kind=InvoiceLine.Kind.COMMISSION)
    line.amount = Decimal("5064.53")
    assert commission_statement(line, OCTOBER) is None


def test_a_draft_awaiting_turnover_says_what_it_waits_for(owner_a_client, shop_a):
    contract = ContractFactory(shop=shop_a, start_date=CONTRACT_START, price=Decimal("3000.00"))
    invoice = make_invoice(shop_a, [contract], status="draft")
    assert invoice.awaiting_turnover and invoice.number is None
    content = owner_a_client.get(invoice_url(invoice)).content.decode()
    assert "Draft invoice" in content
    assert "It waits for your turnover of October 2026 to be confirmed" in content
    assert reverse("portal:shop-turnover", kwargs={"pk": shop_a.pk}) in content


def test_dates_are_shanghai_dates(owner_a_client, served_a):
    """Issued at 00:30 on 2 November in Shanghai: still 1 November in UTC."""
    served_a.invoice.issued_at = shanghai(dt.date(2026, 11, 2), 0, 30)
    served_a.invoice.save(update_fields=["issued_at"])
    content = owner_a_client.get(invoice_url(served_a.invoice)).content.decode()
    assert "2026-11-02" in content and "2026-11-01" not in content


# --- PDF ----------------------------------------------------------------------------------------


def test_the_pdf_downloads(owner_a_client, served_a, monkeypatch):
    monkeypatch.setattr(
        "portal.views.invoices.render_invoice_pdf", lambda invoice, language=None: b"%PDF-1.7 test"
    )
    response = owner_a_client.get(pdf_url(served_a.invoice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.7 test"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{served_a.invoice.number}.pdf"'
    )
    assert response["Cache-Control"] == "private"


@pytest.mark.skipif(
    pdf_rendering_unavailable() is not None, reason="WeasyPrint cannot render on this machine"
)
def test_the_pdf_is_really_rendered(owner_a_client, served_a):
    response = owner_a_client.get(pdf_url(served_a.invoice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_without_pdf_rendering_a_friendly_503_page(owner_a_client, served_a, monkeypatch):
    def unavailable(invoice, language=None):
        raise PdfUnavailable("the system library 'libpango-1.0-0' cannot be loaded")

    monkeypatch.setattr("portal.views.invoices.render_invoice_pdf", unavailable)
    response = owner_a_client.get(pdf_url(served_a.invoice))
    assert response.status_code == 503
    content = response.content.decode()
    assert "The PDF cannot be made right now" in content
    assert invoice_url(served_a.invoice) in content
    assert "libpango" not in content  # what the server lacks is for the agency's log
