"""Every refusal of a service reads in Chinese under zh-hans, with no English left over.

Each case makes one service refuse, inside ``translation.override("zh-hans")``, and the test
reads every message the refusal carries (a field's messages, a row's, the summary). Names in the
data are Chinese and codes carry digits, so any English word of three letters or more that is
left in a message is untranslated text.
"""

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from agency.access import require_manager
from agency.errors import ApplicationError, RowErrors
from agency.months import parse_month
from billing.models import Invoice
from billing.quotes import quote_for
from billing.services import (
    bill_month,
    billing_run_create,
    invoice_issue,
    invoice_pay,
    invoice_rebill,
    invoice_void,
    shop_month_bill,
    turnover_confirm,
    turnover_correct,
)
from seats.models import HandoverNote
from seats.services import assignment_create, handover_note_acknowledge, handover_note_create
from shops.models import PriceBookEntry
from shops.services import (
    contract_create,
    contract_update,
    dsr_ratings_record,
    shop_check_editable_fields,
    shop_create,
    turnover_change_check,
    turnover_submit,
)
from shops.terms import tiers_from_json
from tests.billing.factories import OCTOBER, confirmed_turnover, monthly_contract
from tests.factories import (
    AgentFactory,
    ContractFactory,
    ManagerFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 11, 3)
CJK = re.compile(r"[\u4e00-\u9fff]")
# Words a Chinese message may keep: codes, formats and the API's own field names.
KEPT = {"INV", "YYYY", "POST", "confirm", "date_from", "errors", "from", "rate"}


@pytest.fixture(autouse=True)
def early_november():
    with time_machine.travel(dt.datetime(2026, 11, 3, 18, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def world(db):
    manager = ManagerFactory(username="经理")
    owner = UserFactory(username="店主")
    shop = ShopFactory(owner=owner, name="小鹿童装", platform_shop_id="TB100")
    seat = SeatFactory(code="S001", name="一号坐席")
    day_agent = AgentFactory(name="王芳", employee_no="E001")
    night_agent = AgentFactory(name="李娜", employee_no="E002")
    SeatAssignmentFactory(seat=seat, agent=day_agent, shift="day", start_date=dt.date(2026, 1, 1))
    SeatAssignmentFactory(
        seat=seat, agent=night_agent, shift="night", start_date=dt.date(2026, 1, 1)
    )
    contract = monthly_contract(shop)
    contract.seat = seat
    contract.save()
    return SimpleNamespace(
        manager=manager,
        owner=owner,
        shop=shop,
        seat=seat,
        day_agent=day_agent,
        night_agent=night_agent,
        contract=contract,
    )


def _october_draft(world) -> Invoice:
    confirmed_turnover(world.shop, "100000.00")
    bill_month(month=OCTOBER)
    return Invoice.objects.get(shop=world.shop, month=OCTOBER, status="draft")


def _issued(world) -> Invoice:
    return invoice_issue(invoice_id=_october_draft(world).pk, actor=world.manager)


def _note(world) -> HandoverNote:
    return handover_note_create(
        seat=world.seat, shop=world.shop, date=DAY, from_agent=world.day_agent
    )


def _other_shops_on_the_seat(world) -> None:
    for name in ("小米", "大象"):
        ContractFactory(shop=ShopFactory(name=name), seat=world.seat)


def _correct_after_issue(world):
    _issued(world)
    report = world.shop.turnover_reports.get()
    return turnover_correct(report_id=report.pk, actor=world.manager, amount=Decimal("5.00"))


def _void_then(world, action):
    issued = _issued(world)
    invoice_void(invoice_id=issued.pk, actor=world.manager, reason="营业额有误")
    return action(issued)


CASES = {
    # agency
    "only managers": lambda w: require_manager(w.owner),
    "month not YYYY-MM": lambda w: parse_month("2026/11"),
    "month out of range": lambda w: parse_month("2026-13"),
    # shops
    "shop id taken": lambda w: shop_create(
        actor=w.manager, owner=w.owner, name="第二家", platform="taobao", platform_shop_id="TB100"
    ),
    "owner edits a manager's field": lambda w: shop_check_editable_fields(
        actor=w.owner, fields=["name"]
    ),
    "unknown plan": lambda w: contract_create(
        actor=w.manager, shop=w.shop, plan="包年", start_date=DAY
    ),
    "shift plan without shift": lambda w: contract_create(
        actor=w.manager, shop=w.shop, plan="shift", start_date=DAY
    ),
    "day plan without end": lambda w: contract_create(
        actor=w.manager, shop=w.shop, plan="temporary", start_date=DAY, shift="day"
    ),
    "tiers not from zero": lambda w: contract_create(
        actor=w.manager,
        shop=w.shop,
        plan="full_day",
        start_date=DAY,
        commission_tiers=[{"from": "10", "rate": "0.03"}],
    ),
    "tier rate not a number": lambda w: tiers_from_json([{"from": "0", "rate": "多"}]),
    "seat serves three shops": lambda w: (
        _other_shops_on_the_seat(w),
        contract_create(
            actor=w.manager,
            shop=ShopFactory(name="第四家"),
            plan="full_day",
            start_date=DAY,
            seat=w.seat,
        ),
    ),
    "contract changes shop": lambda w: contract_update(
        contract=w.contract, actor=w.manager, data={"shop": ShopFactory(name="别家")}
    ),
    "negative turnover": lambda w: turnover_submit(
        actor=w.owner, shop=w.shop, month=OCTOBER, amount=Decimal("-1.00")
    ),
    "turnover of a month not ended": lambda w: turnover_submit(
        actor=w.owner, shop=w.shop, month=dt.date(2026, 11, 1), amount=Decimal("1.00")
    ),
    "turnover of another's shop": lambda w: turnover_submit(
        actor=UserFactory(username="别人"), shop=w.shop, month=OCTOBER, amount=Decimal("1.00")
    ),
    "turnover reported twice": lambda w: (
        turnover_submit(actor=w.owner, shop=w.shop, month=OCTOBER, amount=Decimal("1.00")),
        turnover_submit(actor=w.owner, shop=w.shop, month=OCTOBER, amount=Decimal("2.00")),
    ),
    "owner changes a confirmed turnover": lambda w: turnover_change_check(
        report=confirmed_turnover(w.shop, "1.00"), actor=w.owner
    ),
    "turnover confirmed twice": lambda w: turnover_confirm(
        report_id=confirmed_turnover(w.shop, "1.00").pk, actor=w.manager
    ),
    "no ratings": lambda w: dsr_ratings_record(actor=w.manager, ratings=[]),
    "bad ratings": lambda w: dsr_ratings_record(
        actor=w.manager,
        ratings=[
            {
                "shop_id": 999999,
                "buyer": "",
                "order_id": "",
                "rated_at": dt.datetime(2026, 11, 1, 10, 0),
                "paid_with_alipay": True,
                "description": 6,
                "service": 0,
                "logistics": 5,
            }
        ],
    ),
    # seats
    "seat-shift taken": lambda w: assignment_create(
        seat=w.seat, agent=AgentFactory(name="赵敏"), shift="day", start_date=DAY, actor=w.manager
    ),
    "agent already on a seat": lambda w: assignment_create(
        seat=SeatFactory(code="S002"),
        agent=w.day_agent,
        shift="day",
        start_date=DAY,
        actor=w.manager,
    ),
    "assignment ends before it starts": lambda w: assignment_create(
        seat=SeatFactory(code="S003"),
        agent=AgentFactory(name="赵敏"),
        shift="night",
        start_date=DAY,
        end_date=DAY - dt.timedelta(days=1),
        actor=w.manager,
    ),
    "handover from the wrong agent": lambda w: handover_note_create(
        seat=w.seat,
        shop=ShopFactory(name="别家"),
        date=DAY,
        from_agent=w.night_agent,
        to_agent=w.day_agent,
    ),
    "handover written twice": lambda w: (_note(w), _note(w)),
    "handover acknowledged twice": lambda w: handover_note_acknowledge(
        note=handover_note_acknowledge(note=_note(w))
    ),
    # billing
    "billing a month not started": lambda w: billing_run_create(
        month=dt.date(2026, 12, 1), enqueue=False
    ),
    "issuing while awaiting turnover": lambda w: (
        bill_month(month=OCTOBER),
        invoice_issue(
            invoice_id=Invoice.objects.get(shop=w.shop, month=OCTOBER).pk, actor=w.manager
        ),
    ),
    "issuing the month in progress": lambda w: (
        bill_month(month=dt.date(2026, 11, 1)),
        invoice_issue(
            invoice_id=Invoice.objects.get(shop=w.shop, month=dt.date(2026, 11, 1)).pk,
            actor=w.manager,
        ),
    ),
    "issuing twice": lambda w: invoice_issue(invoice_id=_issued(w).pk, actor=w.manager),
    "paying a draft": lambda w: invoice_pay(invoice_id=_october_draft(w).pk, actor=w.manager),
    "voiding without a reason": lambda w: invoice_void(
        invoice_id=_october_draft(w).pk, actor=w.manager, reason=" "
    ),
    "voiding a paid invoice": lambda w: invoice_void(
        invoice_id=invoice_pay(invoice_id=_issued(w).pk, actor=w.manager).pk,
        actor=w.manager,
        reason="有误",
    ),
    "voiding twice": lambda w: _void_then(
        w, lambda issued: invoice_void(invoice_id=issued.pk, actor=w.manager, reason="再次")
    ),
    "rebilling an invoice not void": lambda w: invoice_rebill(
        invoice_id=_october_draft(w).pk, actor=w.manager
    ),
    "billing a shop again with a live invoice": lambda w: shop_month_bill(
        shop_id=_october_draft(w).shop_id, month=OCTOBER, actor=w.manager
    ),
    "billing a shop without a contract": lambda w: shop_month_bill(
        shop_id=ShopFactory(name="没合同").pk, month=OCTOBER, actor=w.manager
    ),
    "correcting turnover of an issued invoice": lambda w: _correct_after_issue(w),
    "rebill after void, then pay the void": lambda w: _void_then(
        w, lambda issued: invoice_pay(invoice_id=issued.pk, actor=w.manager)
    ),
    # price book
    "quote without prices": lambda w: (
        PriceBookEntry.objects.all().delete(),
        quote_for(daily_inquiries=100, coverage="full_day"),
    ),
    "contract without a price": lambda w: (
        PriceBookEntry.objects.all().delete(),
        contract_create(
            actor=w.manager, shop=w.shop, plan="promotion", start_date=DAY, end_date=DAY
        ),
    ),
}


def messages_of(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    if isinstance(error, RowErrors):
        return [error.message, *(row.message for row in error.errors)]
    if isinstance(error, ApplicationError):
        return [error.message]
    return [str(error)]


def english_left_in(message: str) -> list[str]:
    return [word for word in re.findall(r"[A-Za-z_]{3,}", message) if word not in KEPT]


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_refusal_reads_in_chinese(world, case):
    with translation.override("zh-hans"):
        with pytest.raises((ApplicationError, ValidationError, ValueError)) as refused:
            CASES[case](world)
        messages = messages_of(refused.value)
    assert messages
    for message in messages:
        assert CJK.search(message), message
        assert english_left_in(message) == [], message


def test_the_same_refusals_stay_english_under_english(world):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        CASES["seat serves three shops"](world)
    [message] = refused.value.messages
    assert message == (
        "Seat S001 already serves 3 other shops on 2026-11-03 (大象, 小米, 小鹿童装); a seat "
        "serves at most 3 shops at once."
    )
