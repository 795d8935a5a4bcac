"""History reasons are records written in one form; pages show them in the reader's language."""

import pytest
from django.utils import translation

from agency.history import change_reason_text


@pytest.mark.parametrize(
    ("reason", "english", "chinese"),
    [
        ("submitted", "turnover reported", "营业额已填报"),
        ("confirmed", "turnover confirmed", "营业额已确认"),
        ("amount corrected", "amount corrected", "金额已更正"),
        ("billing run 2026-10", "billing run for October 2026", "2026年10月结算批次"),
        ("billed again 2026-09", "September 2026 billed again", "2026年9月已重新出账"),
        (
            "confirmed amount corrected from 1000.00",
            "confirmed amount corrected from 1000.00",
            "已确认金额由 1000.00 更正",
        ),
        ("recomputed before issue", "recomputed before issue", "开具前重新计算"),
    ],
)
def test_change_reason_text_speaks_the_readers_language(reason, english, chinese):
    with translation.override("en"):
        assert change_reason_text(reason) == english
    with translation.override("zh-hans"):
        assert change_reason_text(reason) == chinese


def test_an_unknown_reason_is_shown_as_stored():
    with translation.override("zh-hans"):
        assert change_reason_text("imported from the old system") == "imported from the old system"
        assert change_reason_text("billed again 2026-13") == "billed again 2026-13"
        assert change_reason_text(None) == ""
