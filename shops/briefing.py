"""A shop's briefing (店铺须知) read as the sections agents look for.

The briefing is one free text the owner keeps current (``Shop.briefing``). Owners write it as
labelled lines, ``Products: ...``, ``发货：...``; a line whose label names a known section starts
that section, and the lines after it belong to it until the next label. The quick replies
(快捷短语) are split into single replies (by line, or by `` / `` on one line) so that the desk can
offer a copy button for each. Text before any known label is kept as a section of its own, so
nothing the owner wrote is ever dropped.
"""

import re
from dataclasses import dataclass, field

PRODUCTS, SHIPPING, PROMOTIONS, RETURNS, QUICK_REPLIES, OTHER = (
    "products",
    "shipping",
    "promotions",
    "returns",
    "quick_replies",
    "other",
)

# Labels as owners write them, in English and in the trade's Chinese (lower case).
SECTION_LABELS: dict[str, tuple[str, ...]] = {
    PRODUCTS: ("products", "product", "商品", "产品", "宝贝", "商品信息"),
    SHIPPING: ("shipping", "delivery", "shipping times", "发货", "物流", "快递", "发货时间"),
    PROMOTIONS: ("promotions", "promotion", "活动", "优惠", "促销", "当前活动"),
    RETURNS: ("returns", "return rules", "退换", "退换货", "退货", "售后"),
    QUICK_REPLIES: ("quick replies", "quick reply", "快捷短语", "快捷回复", "常用语"),
}
_LABEL = re.compile(r"^\s*([^:：]{1,40}?)\s*(?:\([^)]*\)|（[^）]*）)?\s*[:：]\s*(.*)$")
_REPLY_SEPARATOR = re.compile(r"\s+/\s+|\s*／\s*")


@dataclass
class BriefingSection:
    kind: str
    text: str = ""
    quick_replies: list[str] = field(default_factory=list)


def _section_kind(label: str) -> str | None:
    label = label.strip().lower()
    for kind, labels in SECTION_LABELS.items():
        if label in labels:
            return kind
    return None


def split_quick_replies(text: str) -> list[str]:
    """Single replies of a quick-replies section: one per line, or separated by `` / ``."""
    replies = []
    for line in text.splitlines():
        line = line.strip().lstrip("-•*").strip()
        replies.extend(part.strip() for part in _REPLY_SEPARATOR.split(line) if part.strip())
    return replies


def briefing_sections(text: str) -> list[BriefingSection]:
    """The briefing's sections in the owner's order (see the module docstring)."""
    sections: list[BriefingSection] = []
    for line in (text or "").splitlines():
        match = _LABEL.match(line)
        kind = _section_kind(match.group(1)) if match else None
        if kind is not None:
            sections.append(BriefingSection(kind=kind, text=match.group(2).strip()))
        elif sections:
            sections[-1].text = f"{sections[-1].text}\n{line}".strip("\n")
        elif line.strip():
            sections.append(BriefingSection(kind=OTHER, text=line.strip()))
    for section in sections:
        section.text = section.text.strip()
        if section.kind == QUICK_REPLIES:
            section.quick_replies = split_quick_replies(section.text)
    return [section for section in sections if section.text]
