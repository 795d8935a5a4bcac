"""Invoice documents: each line explained, the PDF (and its 503 without WeasyPrint)."""

import datetime as dt
import re
import sys
import zlib
from decimal import Decimal

import pytest
from django.urls import resolve
from django.utils import timezone

from agency import pdf
from agency.choices import Plan, Shift
from billing import documents
from billing.calculations import (
    attributed_turnover,
    commission,
    prorate,
    tier_breakdown,
)
from billing.document_apis import InvoicePdfApi
from billing.documents import (
    PdfUnavailable,
    commission_statement,
    explain_line,
    invoice_pdf_filename,
    pdf_rendering_unavailable,
    render_invoice_html,
    render_invoice_pdf,
)
from billing.models import Invoice, InvoiceLine, due_date_for
from shops.terms import DEFAULT_TIERS
from tests.factories import ContractFactory, ShopFactory

OCTOBER = dt.date(2026, 10, 1)
CHINESE_SHOP = "小米旗舰店"

requires_pdf = pytest.mark.skipif(
    pdf_rendering_unavailable() is not None,
    reason=f"PDF rendering unavailable here: {pdf_rendering_unavailable()}",
)


# --- Invoices as a billing run leaves them ----------------------------------------------------


def day_rate_line(invoice: Invoice, *, days: int = 20, rate: str = "100.00") -> InvoiceLine:
    contract = ContractFactory(
        shop=invoice.shop,
        plan=Plan.TEMPORARY,
        price=Decimal(rate),
        start_date=dt.date(2026, 10, 10),
        end_date=dt.date(2026, 10, 9 + days),
    )
    return InvoiceLine.objects.create(
        invoice=invoice,
        contract=contract,
        kind=InvoiceLine.Kind.DAY_RATE,
        description=f"{days} service days (2026-10-10 to 2026-10-{9 + days:02d}) x {rate}",
        quantity=Decimal(days),
        unit_price=Decimal(rate),
        amount=Decimal(rate) * days,
        details={
            "plan": Plan.TEMPORARY,
            "service_days": days,
            "first_day": "2026-10-10",
            "last_day": f"2026-10-{9 + days:02d}",
            "day_rate": rate,
        },
        position=0,
    )


def base_fee_line(invoice: Invoice, *, active: int = 21, total: int = 31) -> InvoiceLine:
    fee = Decimal("1500.00")
    contract = ContractFactory(
        shop=invoice.shop,
        plan=Plan.SHIFT,
        shift=Shift.DAY,
        price=fee,
        start_date=dt.date(2026, 10, total - active + 1),
    )
    return InvoiceLine.objects.create(
        invoice=invoice,
        contract=contract,
        kind=InvoiceLine.Kind.BASE_FEE,
        description=f"{active} of {total} days x 1,500.00",
        quantity=(Decimal(active) / Decimal(total)).quantize(Decimal("0.0001"))
        if active != total
        else Decimal("1"),
        unit_price=fee,
        amount=prorate(fee, active, total),
        details={"active_days": active, "days_in_month": total, "monthly_fee": str(fee)},
        position=1,
    )


def commission_line(
    invoice: Invoice, *, turnover: str = "300000.00", active: int = 21, total: int = 31
) -> InvoiceLine:
    attributed = attributed_turnover(Decimal(turnover), active, total)
    bounds = [tier.lower for tier in DEFAULT_TIERS[1:]] + [None]
    slices = []
    for tier, amount, on_slice in tier_breakdown(attributed, DEFAULT_TIERS, "graduated"):
        upper = bounds[DEFAULT_TIERS.index(tier)]
        slices.append(
            {
                "from": str(tier.lower),
                "to": None if upper is None else str(upper),
                "rate": str(tier.rate),
                "amount": str(amount),
                "commission": str(on_slice),
            }
        )
    base_fee = invoice.lines.filter(kind=InvoiceLine.Kind.BASE_FEE).first()
    return InvoiceLine.objects.create(
        invoice=invoice,
        contract=base_fee.contract if base_fee else ContractFactory(shop=invoice.shop),
        kind=InvoiceLine.Kind.COMMISSION,
        description=f"Commission on turnover {turnover}",
        quantity=attributed,
        unit_price=Decimal("0.00"),
        amount=commission(attributed, DEFAULT_TIERS, "graduated"),
        details={
            "turnover": turnover,
            "attributed_turnover": str(attributed),
            "active_days": active,
            "days_in_month": total,
            "mode": "graduated",
            "slices": slices,
        },
        position=2,
    )


def make_invoice(shop, *, status=Invoice.Status.DRAFT, number=None, awaiting=False, month=OCTOBER):
    return Invoice.objects.create(
        shop=shop,
        month=month,
        status=status,
        number=number,
        awaiting_turnover=awaiting,
        issued_at=timezone.now() if status != Invoice.Status.DRAFT else None,
        void_reason="Billed on the wrong contract" if status == Invoice.Status.VOID else "",
    )


def full_invoice(shop, *, status=Invoice.Status.DRAFT, number=None, **kwargs) -> Invoice:
    """Service days, a prorated base fee and a graduated commission: 8,080.65 in all.

    Written as a draft, then given its status: the lines of an issued invoice never change."""
    invoice = make_invoice(shop, **kwargs)
    day_rate_line(invoice)
    base_fee_line(invoice)
    commission_line(invoice)
    invoice.total = sum(line.amount for line in invoice.lines.all())
    invoice.save(update_fields=["total"])
    if status != Invoice.Status.DRAFT:
        Invoice.objects.filter(pk=invoice.pk).update(
            status=status,
            number=number,
            issued_at=timezone.now(),
            due_date=due_date_for(invoice.shop, timezone.localdate()),
            void_reason="Billed on the wrong contract" if status == Invoice.Status.VOID else "",
        )
        invoice.refresh_from_db()
    return invoice


@pytest.fixture
def chinese_shop(owner_a):
    return ShopFactory(owner=owner_a, name=CHINESE_SHOP, platform="tmall")


# --- Explaining each line ---------------------------------------------------------------------


@pytest.mark.django_db
def test_worked_invoice_figures_follow_the_billing_rules(shop_a):
    invoice = full_invoice(shop_a)
    amounts = {line.kind: line.amount for line in invoice.lines.all()}
    assert amounts == {
        "day_rate": Decimal("2000.00"),
        "base_fee": Decimal("1016.13"),
        "commission": Decimal("5064.52"),
    }
    assert invoice.total == Decimal("8080.65")


@pytest.mark.django_db
def test_day_rate_line_is_explained_as_days_times_rate(shop_a):
    invoice = make_invoice(shop_a)
    assert explain_line(day_rate_line(invoice)).summary == (
        "20 service days (2026-10-10 to 2026-10-29) x 100.00"
    )
    one_day = explain_line(day_rate_line(invoice, days=1, rate="200.00"))
    assert one_day.summary == "1 service day (2026-10-10) x 200.00"
    assert one_day.steps == ()


@pytest.mark.django_db
def test_prorated_base_fee_is_explained_as_fee_times_active_over_month_days(shop_a):
    line = base_fee_line(make_invoice(shop_a), active=21, total=31)
    assert explain_line(line).summary == "21 of 31 days x 1,500.00"


@pytest.mark.django_db
def test_full_month_base_fee_is_explained_as_the_monthly_fee(shop_a):
    line = base_fee_line(make_invoice(shop_a), active=31, total=31)
    assert explain_line(line).summary == "31 of 31 days x 1,500.00"


@pytest.mark.django_db
def test_commission_is_explained_as_attributed_turnover_through_each_tier(shop_a):
    explanation = explain_line(commission_line(make_invoice(shop_a)))
    assert explanation.summary == ("Turnover 300,000.00 x 21/31 = 203,225.81, graduated tiers")
    assert explanation.steps == (
        "0.00 to 100,000.00: 100,000.00 x 3% = 3,000.00",
        "100,000.00 to 500,000.00: 103,225.81 x 2% = 2,064.52",
    )


@pytest.mark.django_db
def test_commission_top_tier_is_open_ended_and_full_month_has_no_attribution_step(shop_a):
    explanation = explain_line(
        commission_line(make_invoice(shop_a), turnover="600000.00", active=31, total=31)
    )
    assert explanation.steps == (
        "0.00 to 100,000.00: 100,000.00 x 3% = 3,000.00",
        "100,000.00 to 500,000.00: 400,000.00 x 2% = 8,000.00",
        "above 500,000.00: 100,000.00 x 1% = 1,000.00",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "details"),
    [
        ("base_fee", {}),
        ("base_fee", {"active_days": 21, "days_in_month": 31}),
        ("base_fee", {"active_days": "x", "days_in_month": 31, "monthly_fee": "1500.00"}),
        ("base_fee", {"active_days": 32, "days_in_month": 31, "monthly_fee": "1500.00"}),
        ("base_fee", {"active_days": True, "days_in_month": 31, "monthly_fee": "1500.00"}),
        ("base_fee", {"active_days": 21, "days_in_month": 0, "monthly_fee": "1500.00"}),
        ("base_fee", ["not", "a", "dict"]),
        ("commission", {}),
        ("commission", {"turnover": "300000.00"}),
        ("commission", {"attributed_turnover": "NaN"}),
        ("commission", {"attributed_turnover": None}),
    ],
)
def test_a_line_with_unreadable_details_shows_its_description_only(shop_a, kind, details):
    invoice = make_invoice(shop_a)
    line = InvoiceLine.objects.create(
        invoice=invoice,
        contract=ContractFactory(shop=shop_a),
        kind=kind,
        description="Described by the billing run",
        quantity=Decimal("1"),
        unit_price=Decimal("1500.00"),
        amount=Decimal("1500.00"),
        details=details,
    )
    assert explain_line(line).summary == "Described by the billing run"
    assert explain_line(line).steps == ()
    html = render_invoice_html(invoice)
    assert "Described by the billing run" in html
    assert "1,500.00" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "slices",
    [
        "not a list",
        [{"from": "0.00", "to": None, "rate": "0.03", "amount": "1000.00"}],
        [{"from": "0.00", "to": "x", "rate": "0.03", "amount": "1.00", "commission": "0.03"}],
        [
            {"from": "0.00", "to": None, "rate": "0.03", "amount": "1.00", "commission": "0.03"},
            "garbage",
        ],
    ],
)
def test_commission_slices_are_shown_only_when_every_slice_is_readable(shop_a, slices):
    line = commission_line(make_invoice(shop_a), active=31, total=31)
    line.details = {**line.details, "slices": slices}
    explanation = explain_line(line)
    assert explanation.summary == "Turnover 300,000.00, graduated tiers"
    assert explanation.steps == ()


# --- The commission statement -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_commission_statement_reads_the_same_slices_the_explanation_shows(shop_a):
    line = commission_line(make_invoice(shop_a), active=21, total=31)
    statement = commission_statement(line, OCTOBER)
    assert (statement.active_days, statement.days_in_month, statement.prorated) == (21, 31, True)
    assert statement.attributed_turnover == Decimal("203225.81")
    assert [(item.lower, item.upper) for item in statement.slices] == [
        (Decimal("0.00"), Decimal("100000.00")),
        (Decimal("100000.00"), Decimal("500000.00")),
    ]
    assert statement.total == line.amount == Decimal("5064.52")
    assert len(explain_line(line).steps) == len(statement.slices)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"days_in_month": 30},  # not the invoice month's days
        {"mode": "tiered"},
        {"slices": []},
        {"slices": [{"from": "0", "rate": "x", "amount": "1", "commission": "1"}]},
        {"active_days": 32},
    ],
)
def test_details_a_statement_cannot_stand_on_give_none(shop_a, change):
    line = commission_line(make_invoice(shop_a), active=21, total=31)
    line.details = {**line.details, **change}
    assert commission_statement(line, OCTOBER) is None


@pytest.mark.django_db
def test_only_commission_lines_have_a_statement(shop_a):
    assert commission_statement(base_fee_line(make_invoice(shop_a)), OCTOBER) is None


# --- The HTML the PDF is made from ------------------------------------------------------------


@pytest.mark.django_db
def test_invoice_html_shows_agency_draft_shop_month_explained_lines_total_and_status(
    chinese_shop,
):
    html = render_invoice_html(full_invoice(chinese_shop))
    for expected in (
        documents.DEFAULT_AGENCY_NAME,
        "DRAFT",
        CHINESE_SHOP,
        "Tmall",
        "2026-10",
        "20 service days (2026-10-10 to 2026-10-29) x 100.00",
        "21 of 31 days x 1,500.00",
        "Turnover 300,000.00 x 21/31 = 203,225.81, graduated tiers",
        "100,000.00 to 500,000.00: 103,225.81 x 2% = 2,064.52",
        "2,000.00",
        "1,016.13",
        "5,064.52",
        "8,080.65",
        "Draft",
    ):
        assert expected in html, expected


@pytest.mark.django_db
def test_invoice_html_names_the_agency_from_settings(shop_a, settings):
    settings.AGENCY = {**settings.AGENCY, "NAME": "杭州云客服外包有限公司"}
    assert "杭州云客服外包有限公司" in render_invoice_html(full_invoice(shop_a))


@pytest.mark.django_db
def test_issued_invoice_html_shows_its_number_instead_of_draft(shop_a):
    invoice = full_invoice(shop_a, status=Invoice.Status.ISSUED, number="INV-2026-000123")
    html = render_invoice_html(invoice)
    assert "INV-2026-000123" in html
    assert "DRAFT" not in html
    assert "Issued" in html


@pytest.mark.django_db
def test_invoice_awaiting_turnover_says_so(shop_a):
    invoice = make_invoice(shop_a, awaiting=True)
    base_fee_line(invoice)
    html = render_invoice_html(invoice)
    assert "awaiting turnover" in html
    assert "Awaiting turnover" in html


@pytest.mark.django_db
def test_void_invoice_is_marked_void(shop_a):
    html = render_invoice_html(
        full_invoice(shop_a, status=Invoice.Status.VOID, number="INV-2026-000007")
    )
    assert "VOID" in html
    assert "not payable" in html


@pytest.mark.django_db
def test_invoice_html_asks_for_the_simplified_chinese_font(shop_a):
    assert '"Noto Sans CJK SC"' in render_invoice_html(make_invoice(shop_a))


@pytest.mark.django_db
def test_shop_names_are_escaped_in_the_document(owner_a):
    shop = ShopFactory(owner=owner_a, name='<img src="http://evil.example/x">')
    html = render_invoice_html(make_invoice(shop))
    assert "<img" not in html
    assert "&lt;img" in html


# --- The PDF ----------------------------------------------------------------------------------


def _text_boxes(html: str) -> list[tuple[str, tuple[str, ...]]]:
    """The text WeasyPrint lays out on the pages, each piece with the font family it uses."""
    import weasyprint

    boxes: list[tuple[str, tuple[str, ...]]] = []

    def walk(box) -> None:
        if getattr(box, "text", None):
            boxes.append((box.text, tuple(box.style["font_family"])))
        for child in getattr(box, "children", None) or ():
            walk(child)

    for page in weasyprint.HTML(string=html).render().pages:
        walk(page._page_box)
    return boxes


def _laid_out_text(html: str) -> str:
    return " ".join(" ".join(text for text, _ in _text_boxes(html)).split())


def _pdf_streams(pdf: bytes) -> bytes:
    """The PDF's streams, inflated, so font names inside object streams can be searched."""
    inflated = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        try:
            inflated.append(zlib.decompressobj().decompress(match.group(1)))
        except zlib.error:
            inflated.append(match.group(1))
    return pdf + b"".join(inflated)


@requires_pdf
@pytest.mark.django_db
def test_render_invoice_pdf_produces_a_pdf(chinese_shop):
    pdf = render_invoice_pdf(full_invoice(chinese_shop))
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


@requires_pdf
@pytest.mark.django_db
def test_pdf_pages_carry_the_explained_lines_and_the_chinese_shop_name(chinese_shop):
    text = _laid_out_text(render_invoice_html(full_invoice(chinese_shop)))
    for expected in (
        CHINESE_SHOP,
        "DRAFT",
        "20 service days (2026-10-10 to 2026-10-29) x 100.00",
        "21 of 31 days x 1,500.00",
        "0.00 to 100,000.00: 100,000.00 x 3% = 3,000.00",
        "8,080.65",
    ):
        assert expected in text, expected


@requires_pdf
@pytest.mark.django_db
def test_pdf_sets_every_text_in_the_simplified_chinese_font_and_embeds_it(chinese_shop):
    invoice = full_invoice(chinese_shop)
    boxes = _text_boxes(render_invoice_html(invoice))
    assert any(CHINESE_SHOP in text for text, _ in boxes)
    assert {families[0] for _, families in boxes} == {"Noto Sans CJK SC"}
    assert b"Noto-Sans-CJK-SC" in _pdf_streams(render_invoice_pdf(invoice))


@pytest.mark.django_db
def test_missing_weasyprint_raises_pdf_unavailable_naming_the_package(shop_a, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(PdfUnavailable) as caught:
        render_invoice_pdf(make_invoice(shop_a))
    assert caught.value.missing == "the Python package 'weasyprint' is not installed"
    assert pdf_rendering_unavailable() == caught.value.missing


@pytest.mark.django_db
def test_missing_system_library_raises_pdf_unavailable_naming_the_library(shop_a, monkeypatch):
    def import_module(name):
        raise OSError(
            "cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object "
            "file: No such file or directory"
        )

    monkeypatch.setattr(pdf, "import_module", import_module)
    with pytest.raises(PdfUnavailable) as caught:
        render_invoice_pdf(make_invoice(shop_a))
    assert "'libpango-1.0-0'" in caught.value.missing
    assert "fonts-noto-cjk" in caught.value.missing


@pytest.mark.django_db
def test_pdf_filename_is_the_number_or_draft_and_id(shop_a, shop_b):
    draft = make_invoice(shop_a)
    issued = make_invoice(shop_b, status=Invoice.Status.ISSUED, number="INV-2026-000123")
    assert invoice_pdf_filename(draft) == f"draft-{draft.pk}.pdf"
    assert invoice_pdf_filename(issued) == "INV-2026-000123.pdf"


# --- GET /api/v1/invoices/{id}/pdf/ -----------------------------------------------------------


def _pdf_url(invoice: Invoice) -> str:
    return f"/api/v1/invoices/{invoice.pk}/pdf/"


@requires_pdf
@pytest.mark.django_db
def test_owner_downloads_their_draft_as_a_pdf_attachment(owner_a_api, shop_a):
    invoice = full_invoice(shop_a)
    response = owner_a_api.get(_pdf_url(invoice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="draft-{invoice.pk}.pdf"'
    assert response.content.startswith(b"%PDF-")


@requires_pdf
@pytest.mark.django_db
def test_issued_invoice_pdf_is_named_after_its_number(manager_api, shop_a):
    invoice = full_invoice(shop_a, status=Invoice.Status.ISSUED, number="INV-2026-000123")
    response = manager_api.get(_pdf_url(invoice), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="INV-2026-000123.pdf"'


@requires_pdf
@pytest.mark.django_db
def test_pdf_endpoint_reads_the_invoice_in_two_queries(
    manager_api, shop_a, django_assert_num_queries
):
    invoice = full_invoice(shop_a)
    with django_assert_num_queries(2):
        assert manager_api.get(_pdf_url(invoice)).status_code == 200


@pytest.mark.django_db
def test_pdf_endpoint_answers_503_naming_what_is_missing(owner_a_api, shop_a, monkeypatch):
    invoice = full_invoice(shop_a)
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    response = owner_a_api.get(_pdf_url(invoice), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 503
    assert response.json() == {
        "detail": "PDF rendering is unavailable: the Python package 'weasyprint' is not installed"
    }


@pytest.mark.django_db
def test_pdf_endpoint_hides_other_shops_invoices_even_when_pdf_is_unavailable(
    owner_a_api, shop_b, monkeypatch
):
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    assert owner_a_api.get(_pdf_url(make_invoice(shop_b))).status_code == 404


@pytest.mark.django_db
def test_pdf_endpoint_answers_404_for_an_unknown_invoice(manager_api):
    assert manager_api.get("/api/v1/invoices/999999/pdf/").status_code == 404


EXPORT = "/api/v1/invoices/export/"  # its content: tests/billing/test_exports.py


def test_pdf_routes_are_not_taken_by_invoice_detail_routes():
    assert resolve("/api/v1/invoices/12/pdf/").func.view_class is InvoicePdfApi


# --- Who may do what --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("client", "endpoint", "expected"),
    [
        ("api", "pdf_a", 401),
        ("api", "export", 401),
        ("api", "report", 401),
        ("owner_a_api", "pdf_a", 200),
        ("owner_a_api", "pdf_b", 404),
        ("owner_b_api", "pdf_a", 404),
        ("owner_b_api", "pdf_b", 200),
        ("owner_a_api", "export", 403),
        ("owner_a_api", "report", 403),
        ("manager_api", "pdf_a", 200),
        ("manager_api", "pdf_b", 200),
        ("manager_api", "export", 200),
        ("manager_api", "report", 200),
    ],
)
def test_roles_on_document_and_report_endpoints(
    request, monkeypatch, shop_a, shop_b, client, endpoint, expected
):
    # The access rules do not depend on rendering; a stand-in PDF keeps this table fast.
    monkeypatch.setattr(
        "billing.document_apis.render_invoice_pdf",
        lambda invoice, language=None: b"%PDF-1.7 stand-in",
    )
    urls = {
        "pdf_a": _pdf_url(make_invoice(shop_a)),
        "pdf_b": _pdf_url(make_invoice(shop_b)),
        "export": f"{EXPORT}?month=2026-10",
        "report": "/api/v1/reports/seat-profitability/?month=2026-10",
    }
    response = request.getfixturevalue(client).get(urls[endpoint])
    assert response.status_code == expected
    if expected in (401, 403, 404):
        assert "detail" in response.json()
