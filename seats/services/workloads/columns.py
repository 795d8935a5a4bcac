"""The vocabulary of workload uploads: fields, the headers real exports give them, the error.

A file's header may be in English (the field names, as the API writes them) or in Chinese, with
the synonyms that 千牛, 赤兔, 生意参谋 and the platforms' own exports use. Where a file carries two
synonyms of one field (赤兔: 询单人数 and 咨询人数), the one listed first counts and the other is
ignored like any column the app does not use.
"""

from django.conf import settings
from django.utils.translation import gettext

from agency.errors import RowError, RowErrors

KEY_FIELDS = ("agent", "shop", "date", "shift")
COUNT_FIELDS = (
    "inquiries",
    "conversions",
    "buyer_messages",
    "agent_messages",
    "first_response_seconds",
)
COLUMNS = (*KEY_FIELDS, *COUNT_FIELDS, "sales_amount")
# Unknown when a file leaves them out or a row leaves them empty: stored as NULL.
OPTIONAL_FIELDS = frozenset(
    {"buyer_messages", "agent_messages", "first_response_seconds", "sales_amount"}
)
# The roster says which shift the agent worked when the upload does not.
ROSTER_FIELDS = frozenset({"shift"})
# The agent may name the shop too (a sub-account belongs to one shop).
REQUIRED_FIELDS = tuple(
    field for field in COLUMNS if field not in OPTIONAL_FIELDS | ROSTER_FIELDS | {"shop"}
)
# Read-only fields of the API's output: a client may send back what it read.
OUTPUT_ONLY_FIELDS = frozenset({"id", "conversion_rate", "answer_ratio", "first_response_miss"})

# Field -> the Chinese headers that name it, the one that counts first. The first is also the
# header of the Chinese template and the name errors use for a column a Chinese file lacks.
CHINESE_HEADERS: dict[str, tuple[str, ...]] = {
    "date": ("日期",),
    "shift": ("班次",),
    "agent": ("客服", "工号", "旺旺", "子账号", "旺旺子账号", "账号名称"),
    "shop": ("店铺", "店铺名称", "店铺id"),
    "inquiries": ("询单人数", "咨询人数"),
    "conversions": ("成交人数", "最终付款人数"),
    "buyer_messages": ("买家消息数",),
    "agent_messages": ("客服消息数",),
    "first_response_seconds": ("首次响应时间", "首响", "首次响应(秒)", "首次响应时间(秒)"),
    "sales_amount": ("客服销售额", "销售额"),
}
# The template's columns: when and who first, as exports put them.
TEMPLATE_COLUMNS = ("date", "shift", "agent", "shop", *COUNT_FIELDS, "sales_amount")
TEMPLATE_HEADERS = {
    "en": TEMPLATE_COLUMNS,
    "zh": tuple(CHINESE_HEADERS[field][0] for field in TEMPLATE_COLUMNS),
}


def header_key(text: str) -> str:
    """A header as compared: trimmed, lower case, full-width brackets and spaces made plain
    (Excel users type 首次响应（秒） as often as 首次响应(秒))."""
    return (
        text.strip()
        .replace("\u3000", " ")
        .replace("（", "(")
        .replace("）", ")")
        .replace(" ", "")
        .lower()
    )


# Header key -> (field, rank): rank 0 for the English field name, then the Chinese synonyms.
HEADER_FIELDS: dict[str, tuple[str, int]] = {field: (field, 0) for field in COLUMNS} | {
    header_key(name): (field, rank)
    for field, names in CHINESE_HEADERS.items()
    for rank, name in enumerate(names, start=1)
}

# What the first cell of a summary row says (exports end, or begin, with them): Chinese words
# may be followed by more (合计：, 汇总(30天)), English ones are the whole cell.
SUMMARY_PREFIXES = ("汇总", "合计", "总计", "小计", "平均值", "平均", "均值")
SUMMARY_WORDS = frozenset({"total", "totals", "sum", "average", "grand total", "subtotal"})


def is_summary_cell(value: object) -> bool:
    if not isinstance(value, str):
        return False
    text = value.strip().rstrip(":：").lower()
    return text in SUMMARY_WORDS or text.startswith(SUMMARY_PREFIXES)


class WorkloadBulkError(RowErrors):
    """The upload was refused; ``errors`` says where and why (answered as 400)."""

    def summary(self, count: int) -> str:
        return gettext("The upload has %(count)s error(s); nothing was saved.") % {"count": count}


def max_rows() -> int:
    return settings.AGENCY["WORKLOAD_BULK_MAX_ROWS"]


def too_many_rows_error(count: int | str) -> RowError:
    return RowError(
        None,
        None,
        gettext("At most %(limit)s rows per upload; got %(count)s.")
        % {"limit": max_rows(), "count": count},
    )
