"""The agency's name as people read it: the brand in the reader's language, and the legal
details its invoices print as the seller (销售方).

Both come from settings, read from the environment (``AGENCY["NAME"]`` / ``AGENCY["NAME_ZH"]``
and ``AGENCY_LEGAL``, see docs/operations.md). The brand shows in the header of the manager app,
the portal and the sign-in page, on the invoice PDF and in the subject of every email; the
Chinese name is used whenever the active language is Chinese, the English one otherwise, and
either stands in for the other when only one is set.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

DEFAULT_AGENCY_NAME = "Customer Service Agency"


def _is_chinese(language: str | None) -> bool:
    return (language or translation.get_language() or "").lower().startswith("zh")


def agency_name(language: str | None = None) -> str:
    """The brand in ``language`` (default: the active language)."""
    agency = getattr(settings, "AGENCY", {})
    english = agency.get("NAME") or ""
    chinese = agency.get("NAME_ZH") or ""
    if _is_chinese(language):
        return chinese or english or DEFAULT_AGENCY_NAME
    return english or chinese or DEFAULT_AGENCY_NAME


_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")


def one_line(text: str) -> str:
    """``text`` on one line: line breaks and other control characters become one space. An email
    header never carries them (Django refuses to send one that does: ``BadHeaderError``), and a
    subject names shops and agents whose names users typed."""
    return _LINE_BREAKS.sub(" ", str(text)).strip()


def branded_subject(subject: str, language: str | None = None) -> str:
    """An email subject carrying the brand: "[Agency] Invoice …", "【客服外包公司】账单 …"; always
    on one line (``one_line``)."""
    subject = one_line(subject)
    name = one_line(agency_name(language))
    if _is_chinese(language):
        return f"【{name}】{subject}"
    return f"[{name}] {subject}"


@dataclass(frozen=True)
class Seller:
    """The agency as the seller on an invoice; empty strings are facts not configured."""

    name: str
    address: str
    tax_id: str
    bank_name: str
    bank_account: str


def seller(language: str | None = None) -> Seller:
    """The agency's legal details, its legal name in ``language`` (default: the active one)."""
    legal = getattr(settings, "AGENCY_LEGAL", {})
    chinese, english = legal.get("NAME_ZH") or "", legal.get("NAME_EN") or ""
    name = (chinese or english) if _is_chinese(language) else (english or chinese)
    return Seller(
        name=name or agency_name(language),
        address=legal.get("ADDRESS") or "",
        tax_id=legal.get("TAX_ID") or "",
        bank_name=legal.get("BANK_NAME") or "",
        bank_account=legal.get("BANK_ACCOUNT") or "",
    )
