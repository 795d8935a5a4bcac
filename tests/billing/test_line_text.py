"""Invoice lines in the reader's language: stored as figures, rendered once, in English or
Chinese, on the pages, the PDF (``?lang=``, else the owner's language), the emails and the API;
the seller's and the buyer's legal details on every invoice."""

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from billing.documents import (
    document_language,
    explain_line,
    render_invoice_html,
    render_invoice_pdf,
)
from billing.line_text import (
    ENGLISH,
    WORDED_FROM,
    LanguageMessages,
    describe,
    detail_decimal,
    detail_whole,
    line_description,
    line_steps,
)
from billing.models import Invoice, InvoiceLine
from billing.services import invoice_issued_email_send, invoice_void_email_send
from billing.services.lines import BillableContract, invoice_figures
from tests.billing.pdf_text import pdf_text
from tests.billing.test_documents import (
    CHINESE_SHOP,
    base_fee_line,
    commission_line,
    day_rate_line,
    full_invoice,
    make_invoice,
    requires_pdf,
)
from tests.factories import ShopFactory, UserFactory

OCTOBER = dt.date(2026, 10, 1)
ENGLISH_LINE_WORDS = ("service day", "days x", "Turnover", "graduated", "tiers", " to ", "above")


@pytest.fixture
def manager_client(manager) -> Client:
    client = Client()
    client.force_login(manager)
    return client


def zh(function, *args):
    with translation.override("zh-hans"):
        return function(*args)


def terms(**changes) -> BillableContract:
    values = {
        "id": 1,
        "shop_id": 1,
        "plan": "full_day",
        "price": Decimal("3000.00"),
        "commission_mode": "graduated",
        "commission_tiers": [
            {"from": "0.00", "rate": "0.03"},
            {"from": "100000.00", "rate": "0.02"},
            {"from": "500000.00", "rate": "0.01"},
        ],
        "start_date": OCTOBER,
        "end_date": None,
    }
    return BillableContract(**{**values, **changes})


# --- Stored as figures, rendered in the reader's language ---------------------------------------


def test_a_line_stores_its_kind_and_every_figure_its_description_needs():
    base_fee, commission = invoice_figures(
        shop_id=1, month=OCTOBER, contracts=[terms()], turnover=Decimal("300000.00")
    ).lines
    assert base_fee.details == {
        "kind": "base_fee",
        "plan": "full_day",
        "active_days": 31,
        "days_in_month": 31,
        "first_day": "2026-10-01",
        "last_day": "2026-10-31",
        "monthly_fee": "3000.00",
    }
    assert commission.details["kind"] == "commission"
    assert commission.details["mode"] == "graduated"
    assert [(s["rate"], s["amount"]) for s in commission.details["slices"]] == [
        ("0.03", "100000.00"),
        ("0.02", "200000.00"),
    ]
    # The stored description is the English rendering of the same figures.
    assert (
        base_fee.description
        == describe("base_fee", base_fee.details)
        == ("31 of 31 days x 3,000.00")
    )


def test_the_stored_description_is_english_whatever_language_is_active():
    with translation.override("zh-hans"):
        figures = invoice_figures(
            shop_id=1, month=OCTOBER, contracts=[terms()], turnover=Decimal("300000.00")
        )
    assert [line.description for line in figures.lines] == [
        "31 of 31 days x 3,000.00",
        "Turnover 300,000.00, graduated tiers",
    ]


def test_english_looked_up_once_words_every_line_as_english_does_and_leaves_readers_alone():
    """A run words its stored descriptions with messages looked up once (``ENGLISH``): the
    same text as rendering inside ``translation.override("en")``, whatever language is active,
    and the readers' rendering still follows the active language."""
    lines = [
        *invoice_figures(
            shop_id=1, month=OCTOBER, contracts=[terms()], turnover=Decimal("300000.00")
        ).lines,
        *invoice_figures(
            shop_id=1,
            month=OCTOBER,
            contracts=[terms(start_date=dt.date(2026, 10, 12), commission_mode="flat")],
            turnover=Decimal("90000.00"),
        ).lines,
        *[
            line
            for days in (0, 1)  # one service day, then two: singular and plural
            for line in invoice_figures(
                shop_id=1,
                month=OCTOBER,
                contracts=[
                    terms(
                        plan="promotion",
                        price=Decimal("200.00"),
                        start_date=OCTOBER,
                        end_date=OCTOBER + dt.timedelta(days=days),
                    )
                ],
                turnover=None,
            ).lines
        ],
    ]
    assert {line.kind for line in lines} == {"base_fee", "commission", "day_rate"}
    with translation.override("en"):
        english = [describe(line.kind, line.details) for line in lines]
    assert "1 service day (2026-10-01) x 200.00" in english
    assert "2 service days (2026-10-01 to 2026-10-02) x 200.00" in english
    with translation.override("zh-hans"):
        assert [describe(line.kind, line.details, messages=ENGLISH) for line in lines] == english
        assert [line.description for line in lines] == english
        chinese = [describe(line.kind, line.details) for line in lines]
    assert chinese != english and "天" in chinese[0]


def test_messages_of_one_language_keep_a_bounded_number_of_texts(monkeypatch):
    monkeypatch.setattr(LanguageMessages, "KEPT", 2)
    messages = LanguageMessages("zh-hans")
    words = [
        messages.ngettext("%(days)s service day", "%(days)s service days", n) for n in range(5)
    ]
    assert len(messages._texts) == 2
    with translation.override("zh-hans"):
        assert words == [
            translation.ngettext("%(days)s service day", "%(days)s service days", n)
            for n in range(5)
        ]


@pytest.mark.django_db
def test_lines_read_in_chinese_in_the_trades_words(shop_a):
    invoice = make_invoice(shop_a)
    assert zh(line_description, day_rate_line(invoice)) == (
        "服务 20 天（2026-10-10 至 2026-10-29）× 100.00"
    )
    assert zh(line_description, base_fee_line(invoice)) == "21/31 天 × 1,500.00"
    assert zh(line_description, base_fee_line(invoice, active=30, total=30)) == (
        "30/30 天 × 1,500.00"
    )
    commission = commission_line(invoice)
    assert zh(line_description, commission) == (
        "营业额 300,000.00 × 21/31 天 = 203,225.81（按比例），分段累进提成"
    )
    assert zh(line_steps, commission) == (
        "0.00 至 100,000.00：100,000.00 × 3% = 3,000.00",
        "100,000.00 至 500,000.00：103,225.81 × 2% = 2,064.52",
    )
    flat = {
        **commission.details,
        "mode": "flat",
        "active_days": 31,
        "attributed_turnover": "300000.00",
    }
    assert zh(describe, "commission", flat) == "营业额 300,000.00，全额按所在档提成"


def test_a_line_sharing_the_months_commission_reads_in_chinese():
    lines = invoice_figures(
        shop_id=1,
        month=dt.date(2026, 11, 1),
        contracts=[
            terms(id=1, start_date=dt.date(2026, 11, 1), end_date=dt.date(2026, 11, 15)),
            terms(id=2, start_date=dt.date(2026, 11, 16)),
        ],
        turnover=Decimal("300000.00"),
    ).lines
    first = lines[1]
    assert zh(describe, first.kind, first.details) == (
        "营业额 300,000.00 × 15/30 天 = 150,000.00（按比例），占本月营业额 300,000.00："
        "按此比例分摊本月提成 7,000.00（按 2026-11-30 生效合同的阶梯，分段累进）"
    )
    assert len(zh(explain_line, InvoiceLine(kind=first.kind, details=first.details)).steps) == 2


@pytest.mark.django_db
def test_a_line_billed_before_its_figures_were_recorded_keeps_its_stored_description(shop_a):
    line = InvoiceLine(
        invoice=make_invoice(shop_a),
        kind=InvoiceLine.Kind.COMMISSION,
        description="Commission on turnover 300,000.00",
        details={},
    )
    assert zh(line_description, line) == "Commission on turnover 300,000.00"
    assert zh(line_steps, line) == ()


# --- Printed once -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pdf_and_the_manager_page_print_each_figure_of_the_calculation_once(
    shop_a, manager_client
):
    invoice = full_invoice(shop_a)
    html = render_invoice_html(invoice, "en")
    page = manager_client.get(reverse("web:invoice-detail", args=[invoice.pk])).content.decode()
    for document in (html, page):
        for figure in ("203,225.81", "103,225.81", "2,064.52"):
            assert document.count(figure) == 1, figure


# --- The PDF in the reader's language -----------------------------------------------------------


@requires_pdf
@pytest.mark.django_db
def test_the_chinese_pdf_carries_the_lines_in_chinese_and_no_english_line_words(owner_a):
    shop = ShopFactory(owner=owner_a, name=CHINESE_SHOP, platform="tmall")
    text = pdf_text(render_invoice_pdf(full_invoice(shop), "zh-hans"))
    for expected in (
        "服务 20 天（2026-10-10 至 2026-10-29）× 100.00",
        "21/31 天 × 1,500.00",
        "营业额 300,000.00 × 21/31 天 = 203,225.81",
        "0.00 至 100,000.00：100,000.00 × 3% = 3,000.00",
        "销售方",
        "购买方",
        "8,080.65",
    ):
        assert "".join(expected.split()) in "".join(text.split()), expected
    for word in ENGLISH_LINE_WORDS:
        assert word not in text, word


@pytest.mark.django_db
def test_the_pdf_language_is_the_query_else_the_owners(shop_a):
    invoice = make_invoice(shop_a)
    assert document_language(invoice, "zh-hans") == "zh-hans"
    assert document_language(invoice, "ZH-Hans") == "zh-hans"
    assert document_language(invoice, "en") == "en"
    shop_a.owner.language = "zh-hans"
    assert document_language(invoice, None) == "zh-hans"
    shop_a.owner.language = "en"
    assert document_language(invoice, "") == "en"
    with pytest.raises(ValueError, match="fr"):
        document_language(invoice, "fr")


@pytest.mark.django_db
def test_the_pdf_endpoint_prints_in_the_asked_language_else_the_owners(
    owner_a_api, shop_a, monkeypatch
):
    invoice = full_invoice(shop_a)
    seen = []
    monkeypatch.setattr(
        "billing.document_apis.render_invoice_pdf",
        lambda invoice, language=None: seen.append(language) or b"%PDF-1.7",
    )
    url = f"/api/v1/invoices/{invoice.pk}/pdf/"
    assert owner_a_api.get(url, {"lang": "zh-hans"}).status_code == 200
    assert owner_a_api.get(url, {"lang": "en"}).status_code == 200
    shop_a.owner.language = "zh-hans"
    shop_a.owner.save(update_fields=["language"])
    assert owner_a_api.get(url).status_code == 200
    assert seen == ["zh-hans", "en", "zh-hans"]
    refused = owner_a_api.get(url, {"lang": "klingon"})
    assert refused.status_code == 400
    assert "klingon" in refused.json()["lang"][0]


@pytest.mark.django_db
def test_the_invoice_html_follows_the_language_it_is_rendered_in(shop_a):
    invoice = full_invoice(shop_a)
    chinese, english = render_invoice_html(invoice, "zh-hans"), render_invoice_html(invoice, "en")
    assert '<html lang="zh-hans">' in chinese and "21/31 天 × 1,500.00" in chinese
    assert "21 of 31 days x 1,500.00" not in chinese
    assert '<html lang="en">' in english and "21 of 31 days x 1,500.00" in english


# --- The API's description ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_apis_description_follows_accept_language(owner_a_api, shop_a):
    invoice = full_invoice(shop_a)
    url = f"/api/v1/invoices/{invoice.pk}/"
    chinese = owner_a_api.get(url, headers={"Accept-Language": "zh-CN,zh;q=0.9"}).json()
    english = owner_a_api.get(url, headers={"Accept-Language": "en"}).json()
    assert [line["description"] for line in chinese["lines"]][1] == "21/31 天 × 1,500.00"
    assert [line["description"] for line in english["lines"]][1] == "21 of 31 days x 1,500.00"
    assert chinese["lines"][2]["details"]["slices"] == english["lines"][2]["details"]["slices"]


# --- Legal details ------------------------------------------------------------------------------


LEGAL = {
    "NAME_ZH": "杭州云客服外包有限公司",
    "NAME_EN": "Hangzhou Cloud Service Co., Ltd.",
    "ADDRESS": "浙江省杭州市余杭区文一西路 969 号",
    "TAX_ID": "91350100M000100Y43",
    "BANK_NAME": "招商银行杭州分行",
    "BANK_ACCOUNT": "5719 0812 3456 789",
}


@pytest.mark.django_db
def test_every_invoice_names_the_seller_and_the_buyer_with_their_legal_details(
    owner_a, settings, manager_client
):
    settings.AGENCY_LEGAL = LEGAL
    shop = ShopFactory(
        owner=owner_a,
        name=CHINESE_SHOP,
        billing_name="北京小米科技有限责任公司",
        tax_id="91110108551385082Q",
        billing_address="北京市海淀区清河中街 68 号",
    )
    invoice = full_invoice(shop)
    chinese = render_invoice_html(invoice, "zh-hans")
    for text in (
        "销售方",
        "杭州云客服外包有限公司",
        "纳税人识别号",
        "91350100M000100Y43",
        "招商银行杭州分行",
        "5719 0812 3456 789",
        "购买方",
        "北京小米科技有限责任公司",
        "91110108551385082Q",
        "北京市海淀区清河中街 68 号",
    ):
        assert text in chinese, text
    english = render_invoice_html(invoice, "en")
    assert "Seller" in english and "Hangzhou Cloud Service Co., Ltd." in english
    assert "Bill to" in english and "北京小米科技有限责任公司" in english
    page = manager_client.get(reverse("web:invoice-detail", args=[invoice.pk])).content.decode()
    assert "91110108551385082Q" in page and "5719 0812 3456 789" in page


@pytest.mark.django_db
def test_without_a_billing_name_the_buyer_is_the_shop(shop_a):
    html = render_invoice_html(make_invoice(shop_a), "en")
    assert 'class="party-name">Shop A<' in html


# --- Emails -------------------------------------------------------------------------------------


def issued(shop) -> Invoice:
    invoice = full_invoice(shop, status=Invoice.Status.ISSUED, number="INV-2026-000042")
    return invoice


@pytest.mark.django_db
def test_the_issue_email_goes_to_the_billing_email_with_lines_in_the_owners_language():
    owner = UserFactory(email="wang@shop.example", language="zh-hans")
    shop = ShopFactory(owner=owner, name=CHINESE_SHOP, billing_email="finance@xiaomi.example")
    invoice = issued(shop)
    assert invoice_issued_email_send(invoice_id=invoice.pk)
    [message] = mail.outbox
    assert message.to == ["finance@xiaomi.example"]
    assert message.subject.startswith("【客服外包公司】账单 INV-2026-000042")
    assert "21/31 天 × 1,500.00" in message.body
    assert "0.00 至 100,000.00：100,000.00 × 3% = 3,000.00" in message.body
    assert "days x" not in message.body and "Turnover" not in message.body


@pytest.mark.django_db
def test_without_a_billing_email_invoice_emails_go_to_the_owner(owner_a):
    invoice = issued(ShopFactory(owner=owner_a))
    invoice.status, invoice.void_reason = Invoice.Status.VOID, "Wrong contract"
    invoice.save(update_fields=["status", "void_reason"])
    assert invoice_void_email_send(invoice_id=invoice.pk)
    [message] = mail.outbox
    assert message.to == [owner_a.email]
    # An owner who never chose a language is written to in the language of new accounts.
    assert message.subject.startswith("【客服外包公司】账单 INV-2026-000042 已作废")


# --- The brand ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_brand_is_shown_in_the_readers_language(settings):
    settings.AGENCY = {**settings.AGENCY, "NAME": "Cloud Service", "NAME_ZH": "云客服"}
    chinese = Client(headers={"Accept-Language": "zh-CN"}).get("/accounts/login/").content
    english = Client(headers={"Accept-Language": "en"}).get("/accounts/login/").content
    assert "云客服" in chinese.decode() and "Cloud Service" not in chinese.decode()
    assert "Cloud Service" in english.decode() and "云客服" not in english.decode()
    invoice_html = render_invoice_html(make_invoice(ShopFactory()), "zh-hans")
    assert '<div class="agency">云客服</div>' in invoice_html


@pytest.mark.parametrize(
    "value",
    [0, 31, -5, 10**30, "1500.00", " 7.5 ", "1_000", "1e3", "NaN", "-Infinity", "", "x", "\u30002"],
)
def test_a_detail_number_is_read_as_its_text_would_be(value):
    """Whole numbers and texts of the details JSON are read as ``Decimal(str(value).strip())``,
    None when that is not a finite number."""
    try:
        expected = Decimal(str(value).strip())
    except InvalidOperation:
        expected = None
    if expected is not None and not expected.is_finite():
        expected = None
    number = detail_decimal(value)
    assert number == expected and str(number) == str(expected)
    whole = None if expected is None or expected != expected.to_integral_value() else int(expected)
    assert detail_whole(value) == whole


class _Recording(Mapping):
    """Details that note every figure read of them."""

    def __init__(self, details: dict) -> None:
        self.details, self.read = details, set()

    def __getitem__(self, key):
        self.read.add(key)
        return self.details[key]

    def __contains__(self, key) -> bool:
        self.read.add(key)
        return key in self.details

    def get(self, key, default=None):
        self.read.add(key)
        return self.details.get(key, default)

    def __iter__(self):
        raise AssertionError("a line is worded from named figures, never from all of them")

    def __len__(self) -> int:
        return len(self.details)


def _worded_lines() -> list[tuple[str, dict]]:
    """Every kind of line, and each with its figures changed in the ways stored JSON may hold
    them: whole numbers as text or floats, booleans, lists, missing, shared days."""
    lines = [
        *invoice_figures(
            shop_id=1, month=OCTOBER, contracts=[terms()], turnover=Decimal("300000.00")
        ).lines,
        *invoice_figures(
            shop_id=1,
            month=OCTOBER,
            contracts=[terms(start_date=dt.date(2026, 10, 12), commission_mode="flat")],
            turnover=Decimal("90000.00"),
        ).lines,
        *invoice_figures(
            shop_id=1,
            month=OCTOBER,
            contracts=[
                terms(
                    plan="promotion",
                    price=Decimal("200.00"),
                    start_date=OCTOBER,
                    end_date=OCTOBER + dt.timedelta(days=2),
                )
            ],
            turnover=None,
        ).lines,
    ]
    worded = [(line.kind, json.loads(json.dumps(line.details, default=str))) for line in lines]
    assert {kind for kind, _ in worded} == set(WORDED_FROM)
    changed = []
    for kind, details in worded:
        for name in WORDED_FROM[kind]:
            value = details.get(name)
            for other in (str(value), 31, 31.0, True, None, ["31"], {"a": 1}, "x"):
                changed.append((kind, {**details, name: other}))
            changed.append((kind, {key: v for key, v in details.items() if key != name}))
        changed.append((kind, {**details, "shared_days": "31/2"}))
        changed.append((kind, {**details, "month_commission": "10.00", "tiers_in_force_on": "x"}))
    return worded + changed


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_each_kind_of_line_is_worded_from_the_figures_it_names(language):
    """A description depends on nothing of the details but ``WORDED_FROM``'s figures: what the
    kept descriptions are keyed by."""
    with translation.override(language):
        for kind, details in _worded_lines():
            recording = _Recording(details)
            describe(kind, recording, "stored")
            assert recording.read <= set(WORDED_FROM[kind]), (kind, recording.read)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_kept_descriptions_are_the_descriptions_worded_afresh(language, monkeypatch):
    monkeypatch.setattr(LanguageMessages, "DESCRIPTIONS_KEPT", 50)
    messages = LanguageMessages(language)
    lines = _worded_lines()
    with translation.override(language):
        afresh = [describe(kind, details, "stored") for kind, details in lines]
    for _ in range(2):  # worded, then read back (and forgotten past 50)
        kept = [describe(kind, details, "stored", messages=messages) for kind, details in lines]
        assert kept == afresh
        assert [describe(kind, details, "other", messages=messages) for kind, details in lines] == [
            text if text != "stored" else "other" for text in afresh
        ]
    assert 0 < len(messages._descriptions) <= 50


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_descriptions_worded_without_keeping_them_are_the_same_and_not_kept(language):
    """A billing run keeps the English descriptions it words itself (``lines._english``): it
    asks for them with ``keep=False``, which words them alike and leaves ``messages`` as it was."""
    messages = LanguageMessages(language)
    lines = _worded_lines()
    with translation.override(language):
        afresh = [describe(kind, details, "stored") for kind, details in lines]
    assert [
        describe(kind, details, "stored", messages=messages, keep=False) for kind, details in lines
    ] == afresh
    assert messages._descriptions == {}
