"""A shop's briefing read as the sections agents look for (``shops.briefing``)."""

from shops.briefing import briefing_sections, split_quick_replies

DEMO = """Products: see the pinned product list; sizes run small, suggest one size up.
Shipping: orders paid before 16:00 ship the same day (SF Express / 顺丰), others next day.
Promotions: 满300减30 until the end of the month.
Returns: 7 days no reason (七天无理由).
Quick replies (快捷短语): 亲，在的～ / 亲，已为您备注优先发货"""


def test_labelled_lines_start_the_sections_agents_look_for():
    sections = briefing_sections(DEMO)
    assert [section.kind for section in sections] == [
        "products",
        "shipping",
        "promotions",
        "returns",
        "quick_replies",
    ]
    # A slash inside a section that is not the quick replies is left alone.
    assert sections[1].text.startswith(
        "orders paid before 16:00 ship the same day (SF Express / 顺丰)"
    )
    assert sections[4].quick_replies == ["亲，在的～", "亲，已为您备注优先发货"]


def test_chinese_labels_full_width_colons_and_lines_that_continue_a_section():
    text = "发货：48小时内发货\n偏远地区顺延\n快捷短语：\n- 亲，在的～\n- 亲，马上为您查询"
    sections = briefing_sections(text)
    assert [(s.kind, s.text) for s in sections][0] == ("shipping", "48小时内发货\n偏远地区顺延")
    assert sections[1].quick_replies == ["亲，在的～", "亲，马上为您查询"]


def test_nothing_the_owner_wrote_is_dropped():
    sections = briefing_sections("Call the warehouse at 16:30 for urgent orders.\nReturns: 15 days")
    assert [(s.kind, s.text) for s in sections] == [
        ("other", "Call the warehouse at 16:30 for urgent orders."),
        ("returns", "15 days"),
    ]
    assert briefing_sections("") == []


def test_quick_replies_split_by_line_or_by_slash():
    assert split_quick_replies("a / b／c\n\n• d") == ["a", "b", "c", "d"]
