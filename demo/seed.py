"""The demo agency behind `make run`: 10 seats, 20 agents and a floater, 25 shops on every plan.

Realistic for the day it is seeded on (Shanghai): the history covers whole months, from the first
day of the month three months back to the shifts of today that have begun; the month before last
is billed and issued (some of it paid), last month is mostly confirmed (one owner has not reported
and two reports wait for the agency: a few drafts await turnover), and the month in progress is
billed as a preview.

The manager's dashboard shows a handful of alerts that matter, not dozens: one or two agents
overloaded often, a gap on the roster ahead (an approved leave nobody covers), one overdue
handover note (two from 17:00 to 18:00, while a night agent reads), last month's few drafts
awaiting turnover and one sub-account to revoke (tests/demo checks it).

Idempotent: every object is found by a natural key (username, employee number, seat code, shop
platform id, order id...) and workloads are upserted, so running it again changes nothing that
exists and only fills what is missing (new days, for instance). Everything is written through the
same services as the app, so the demo obeys the rules (3 shops a seat, one agent per seat-shift).
Random figures come from a fixed seed, so every run draws the same agency.
"""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from agency import clock
from agency.choices import Plan, Shift
from agency.models import User
from agency.months import month_last_day
from billing.choices import PaymentMethod
from billing.models import CreditNote, Invoice, PaymentReminder
from billing.services import (
    bill_month,
    credit_note_create,
    invoice_due_date,
    invoice_issue,
    invoice_pay,
    payment_record,
    turnover_confirm,
)
from billing.services.reminders import reminder_stages
from payroll.models import PayrollMonth, Payslip, QualityReview
from payroll.selectors import qa_item_list
from payroll.services import review_appeal, review_create, review_decide
from payroll.services.runs import (
    payroll_month_approve,
    payroll_run_create,
    payroll_run_execute,
    payslip_adjust,
)
from seats.models import (
    Agent,
    CoverAssignment,
    HandoverNote,
    Leave,
    Seat,
    SeatAssignment,
    SubAccount,
    WorkloadRecord,
)
from seats.selectors import HANDOVER_ALERT_AT
from seats.services import (
    agent_create,
    agent_update,
    assignment_create,
    cover_create,
    handover_agents,
    handover_note_acknowledge,
    handover_note_create,
    leave_approve,
    leave_request,
    seat_create,
    sub_account_grant,
    sub_account_revoke,
    workload_bulk_upsert,
)
from shops.models import Contract, DsrRating, Shop, TurnoverReport
from shops.selectors import covered_shifts
from shops.services import (
    contract_create,
    dsr_ratings_record,
    shop_create,
    turnover_submit,
)

DEMO_PASSWORD = "agency-demo"
HISTORY_MONTHS = 3
"""Whole months of history before the month in progress."""


def history_start(today: dt.date) -> dt.date:
    """The first day of the month ``HISTORY_MONTHS`` before ``today``'s month."""
    month = today.replace(day=1)
    for _ in range(HISTORY_MONTHS):
        month = clock.previous_month(month)
    return month


AGENT_NAMES = [
    "张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄婷", "周杰", "吴霞",
    "徐丽", "孙强", "马琳", "朱鹏", "胡月", "郭涛", "何佳", "高峰", "林雪", "罗欣",
]  # fmt: skip

# (owner, name, platform, category, daily inquiries, plan, shift, seat)
# Tuned so the floor looks like a healthy agency: with full-day shops split 55/45 between the
# shifts, most agents answer 60-99 inquiries a day (normal or busy), S05 night and S01 day are
# strained (100-120) and S01's night agent is overloaded (about 130: the seat needs help, and the
# dashboard says so). Short jobs sit on seats with room, at most 3 shops a seat at any date.
# S10 is staffed and serves no shop yet: the seat a new client goes to (the capacity finder
# offers it first; the browser tests put a new shop there).
SHOPS = [
    ("owner_a", "小鹿童装旗舰店", "tmall", "children's clothing", 196, Plan.FULL_DAY, None, "S01"),
    ("owner_a", "Lucky Deer Outlet", "taobao", "kidswear", 40, Plan.SHIFT, Shift.NIGHT, "S01"),
    ("owner_b", "山野茶舍", "taobao", "tea", 150, Plan.FULL_DAY, None, "S02"),
    ("owner_b", "Mountain Tea Gifts", "pinduoduo", "tea gifts", 30, Plan.PROMOTION, None, "S02"),
    ("owner_c", "潮玩星球", "douyin", "toys", 150, Plan.FULL_DAY, None, "S03"),
    ("owner_c", "Trend Planet Store", "jd", "toys", 15, Plan.SHIFT, Shift.NIGHT, "S02"),
    ("owner_d", "优品家居", "tmall", "home", 140, Plan.FULL_DAY, None, "S04"),
    ("owner_d", "Home Goods Daily", "pinduoduo", "home", 36, Plan.TEMPORARY, None, "S03"),
    ("owner_e", "悦颜美妆", "tmall", "cosmetics", 160, Plan.FULL_DAY, None, "S05"),
    ("owner_e", "Glow Beauty Lab", "douyin", "cosmetics", 30, Plan.PROMOTION, None, "S04"),
    ("owner_f", "果园直发", "pinduoduo", "fresh fruit", 100, Plan.FULL_DAY, None, "S06"),
    ("owner_f", "Orchard Direct", "taobao", "fresh fruit", 12, Plan.SHIFT, Shift.DAY, "S04"),
    ("owner_g", "数码先锋", "jd", "electronics", 150, Plan.FULL_DAY, None, "S07"),
    ("owner_g", "Digital Pioneer", "tmall", "electronics", 30, Plan.SHIFT, Shift.NIGHT, "S05"),
    ("owner_h", "宠物乐园", "taobao", "pet supplies", 140, Plan.FULL_DAY, None, "S08"),
    ("owner_h", "Pet Paradise", "other", "pet supplies", 30, Plan.TEMPORARY, None, "S06"),
    ("owner_i", "运动达人", "tmall", "sportswear", 70, Plan.FULL_DAY, None, "S09"),
    ("owner_i", "Active Wear Co", "douyin", "sportswear", 40, Plan.PROMOTION, None, "S07"),
    ("owner_j", "书香小铺", "taobao", "books", 8, Plan.SHIFT, Shift.DAY, "S09"),
    ("owner_j", "Bookworm Corner", "jd", "books", 24, Plan.TEMPORARY, None, "S07"),
    ("owner_k", "匠心茶具", "taobao", "teaware", 60, Plan.FULL_DAY, None, "S06"),
    ("owner_k", "Crafted Teaware", "pinduoduo", "teaware", 33, Plan.PROMOTION, None, "S03"),
    ("owner_l", "母婴优选", "tmall", "baby care", 85, Plan.FULL_DAY, None, "S09"),
    ("owner_l", "Baby Care Select", "jd", "baby care", 39, Plan.TEMPORARY, None, "S08"),
    ("owner_m", "户外装备站", "taobao", "outdoor", 20, Plan.SHIFT, Shift.NIGHT, "S08"),
]  # fmt: skip
# The buyer on the first shop's invoices (购买方), as a company that asks for fapiao writes it.
BILLING_DETAILS = {
    "小鹿童装旗舰店": {
        "billing_name": "杭州小鹿童装有限公司",
        "tax_id": "91330106MA2H3K7P0B",
        "billing_address": "浙江省杭州市西湖区文三路 90 号 5 楼",
        "billing_email": "finance@xiaolu.example",
    },
}
OWNER_NAMES = {
    "owner_a": "王", "owner_b": "赵", "owner_c": "钱", "owner_d": "孙", "owner_e": "李",
    "owner_f": "周", "owner_g": "吴", "owner_h": "郑", "owner_i": "冯", "owner_j": "陈",
    "owner_k": "褚", "owner_l": "卫", "owner_m": "蒋",
}  # fmt: skip

BRIEFING = """Products: see the pinned product list; sizes run small, suggest one size up.
Shipping: orders paid before 16:00 ship the same day (SF Express / 顺丰), others next day.
Promotions: 满300减30 until the end of the month; 11.11 pre-sale deposits are not refundable.
Returns: 7 days no reason (七天无理由), buyer pays return postage unless the item is faulty.
Quick replies (快捷短语): 亲，在的～ / 亲，已为您备注优先发货 / 亲，质量问题我们包邮退换哦"""


def _user(username: str, *, staff: bool, first_name: str, email: str, language: str = "") -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "is_staff": staff,
            "is_superuser": staff,
            "first_name": first_name,
            "email": email,
            "language": language,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _seats_and_agents(start: dt.date):

    seats = []
    for number in range(1, 11):
        code = f"S{number:02d}"
        seat = Seat.objects.filter(code=code).first() or seat_create(
            code=code, name=f"Seat {number}"
        )
        seats.append(seat)
    agents = []
    for number, name in enumerate(AGENT_NAMES, start=1):
        employee_no = f"E{number:03d}"
        agent = Agent.objects.filter(employee_no=employee_no).first() or agent_create(
            name=name,
            employee_no=employee_no,
            hired_on=dt.date(2025, 3, 1) + dt.timedelta(days=11 * number),
            base_salary=Decimal(1200 + (number % 5) * 200),
            email=f"agent{number:03d}@agency.example",
        )
        agents.append(agent)
    for index, seat in enumerate(seats):
        for shift, agent in ((Shift.DAY, agents[2 * index]), (Shift.NIGHT, agents[2 * index + 1])):
            if not seat.assignments.filter(shift=shift).exists():
                assignment_create(seat=seat, agent=agent, shift=shift, start_date=start)
    return seats, agents


FLOATER = ("宋洁", "E021")
"""An agent without a seat-shift of their own: she covers a colleague's leave."""


def _agent_accounts(agents: list[Agent]) -> Agent:
    """Every demo agent signs in as ``agent01`` .. ``agent20`` (the floater ``agent21``), password
    ``agency-demo``, in Chinese; returns the floater, who holds no seat-shift."""
    name, employee_no = FLOATER
    floater = Agent.objects.filter(employee_no=employee_no).first() or agent_create(
        name=name,
        employee_no=employee_no,
        hired_on=dt.date(2025, 9, 1),
        base_salary=Decimal("1500"),
        email="agent021@agency.example",
    )
    for number, agent in enumerate([*agents, floater], start=1):
        if agent.user_id is not None:
            continue
        # The user service (invitations) is another part of the app; the demo links directly.
        agent.user = _user(
            f"agent{number:02d}",
            staff=False,
            first_name=agent.name,
            email=agent.email or f"agent{number:03d}@agency.example",
            language="zh-hans",
        )
        agent.save(update_fields=["user"])
    return floater


PAY_TERMS = {"E001": Decimal("0.0030"), "E009": Decimal("0.0025"), "E018": Decimal("0.0010")}
"""Agents with their own commission rate (提成) instead of the pay book's 0.2 %: two senior agents
above it, a newer one below it."""


def _pay_terms(manager: User, agents: list[Agent]) -> None:
    for agent in agents:
        rate = PAY_TERMS.get(agent.employee_no)
        if rate is not None and agent.commission_rate is None:
            agent_update(agent=agent, data={"commission_rate": rate}, actor=manager)


def _past_leave_and_covers(manager: User, seats, agents: list[Agent], floater: Agent, today):
    """Leave already taken, so that the last months' payslips show a deduction and cover
    allowances: last month S04's day agent took three days of unpaid leave (事假, deducted from
    base pay) and S09's day agent two days of annual leave, the month before S07's night agent
    was off sick for two days; the floater covered every one of those seat-shifts.

    Recorded by the manager after the fact (agents ask only for days to come)."""
    seat_of = {seat.code: seat for seat in seats}
    last_month = clock.previous_month(today.replace(day=1))
    month_before = clock.previous_month(last_month)
    # (agent, first day, days, unpaid, reason, seat-shift covered)
    plans = [
        (
            agents[6],
            last_month.replace(day=10),
            3,
            True,
            "事假 / personal leave",
            ("S04", Shift.DAY),
        ),
        (
            agents[16],
            last_month.replace(day=24),
            2,
            False,
            "年假 / annual leave",
            ("S09", Shift.DAY),
        ),
        (
            agents[13],
            month_before.replace(day=17),
            2,
            False,
            "病假 / sick leave",
            ("S07", Shift.NIGHT),
        ),
    ]
    for agent, start, days, unpaid, reason, (seat_code, shift) in plans:
        end = start + dt.timedelta(days=days - 1)
        if not Leave.objects.filter(agent=agent, start_date=start).exists():
            leave_request(
                agent=agent,
                start_date=start,
                end_date=end,
                reason=reason,
                unpaid=unpaid,
                approve=True,
                actor=manager,
            )
        if not CoverAssignment.objects.filter(agent=floater, start_date=start).exists():
            cover_create(
                seat=seat_of[seat_code],
                shift=shift,
                agent=floater,
                start_date=start,
                end_date=end,
                actor=manager,
            )


def _leave_and_cover(manager: User, seats, agents: list[Agent], floater: Agent, today) -> None:
    """Leave in the next weeks, as the roster shows it: S03's day agent has approved leave in 5
    days and nobody covers her (a gap to fill), S06's night agent has approved leave in 9 days
    covered by the floater, and S02's day agent has asked for two days in 20 days' time.

    Each agent asks through the leave service from their own account, the manager approves and
    assigns the cover through the services, so the demo obeys the rules (and the constraints).
    """
    seat_of = {seat.code: seat for seat in seats}
    # (agent, offset of the first day, days, approved, reason, covering seat-shift)
    plans = [
        (agents[4], 5, 2, True, "事假 / personal leave", None),  # unpaid, as 事假 is
        (agents[11], 9, 2, True, "病假 / sick leave", ("S06", Shift.NIGHT)),
        (agents[2], 20, 2, False, "年假 / annual leave", None),
    ]
    for agent, offset, days, approved, reason, covered in plans:
        start = today + dt.timedelta(days=offset)
        end = start + dt.timedelta(days=days - 1)
        if Leave.objects.filter(agent=agent, start_date=start).exists():
            continue
        leave = leave_request(
            agent=agent,
            start_date=start,
            end_date=end,
            reason=reason,
            unpaid=reason.startswith("事假"),
            actor=agent.user,
        ).leave
        if not approved:
            continue
        leave_approve(leave=leave, actor=manager)
        if covered is not None:
            seat_code, shift = covered
            cover_create(
                seat=seat_of[seat_code],
                shift=shift,
                agent=floater,
                start_date=start,
                end_date=end,
                actor=manager,
            )


def _shops_and_contracts(manager: User, seats, today: dt.date, start: dt.date):

    shops = []
    seat_of = {seat.code: seat for seat in seats}
    for index, (
        owner_name,
        name,
        platform,
        category,
        estimate,
        plan,
        shift,
        seat_code,
    ) in enumerate(SHOPS):
        owner = _user(
            owner_name,
            staff=False,
            first_name=OWNER_NAMES[owner_name],
            email=f"{owner_name}@shops.example",
        )
        platform_shop_id = f"DEMO{index + 1:04d}"
        shop = Shop.objects.filter(platform=platform, platform_shop_id=platform_shop_id).first()
        if shop is None:
            shop = shop_create(
                actor=manager,
                owner=owner,
                name=name,
                platform=platform,
                platform_shop_id=platform_shop_id,
                category=category,
                status=Shop.Status.ACTIVE,
                daily_inquiries_estimate=estimate,
                briefing=BRIEFING,
                **BILLING_DETAILS.get(name, {}),
            )
        shops.append(shop)
        if Contract.objects.filter(shop=shop).exists():
            continue
        seat = seat_of[seat_code]
        if plan in Plan.day_plans():
            # Short jobs: a promotion around the month's event days, a temporary cover of 10 days.
            begin = today - dt.timedelta(days=12 if plan == Plan.PROMOTION else 20)
            end = begin + dt.timedelta(days=9)
        else:
            begin, end = start, None
        contract_create(
            actor=manager,
            shop=shop,
            plan=plan,
            shift=shift,
            seat=seat,
            start_date=begin,
            end_date=end,
        )
    return shops


def _workloads(today: dt.date, start: dt.date) -> int:

    rng = random.Random(20261124)
    contracts = list(Contract.objects.filter(seat__isnull=False).select_related("shop"))
    holders = {
        (a.seat_id, a.shift): a.agent_id for a in SeatAssignment.objects.filter(end_date=None)
    }
    # On a day of approved leave the agent covering the seat-shift serves its shops (and the
    # workloads are theirs); nobody, when no cover was found.
    away = {
        (leave.agent_id, leave.start_date + dt.timedelta(days=offset))
        for leave in Leave.objects.filter(status=Leave.Status.APPROVED, start_date__lte=today)
        for offset in range((leave.end_date - leave.start_date).days + 1)
    }
    covering = {
        (cover.seat_id, cover.shift, cover.start_date + dt.timedelta(days=offset)): cover.agent_id
        for cover in CoverAssignment.objects.filter(start_date__lte=today)
        for offset in range((cover.end_date - cover.start_date).days + 1)
    }
    rows = []
    moment = clock.now()
    day = start
    while day <= today:
        # Mondays are busy in e-commerce (the weekend's orders), Saturdays a little quieter.
        weekday_factor = {0: 1.05, 5: 0.94, 6: 1.02}.get(day.weekday(), 1.0)
        for contract in contracts:
            if not contract.is_active_on(day):
                continue
            for shift in covered_shifts(contract):
                agent_id = covering.get((contract.seat_id, shift, day)) or holders.get(
                    (contract.seat_id, shift)
                )
                if (agent_id, day) in away:
                    continue
                if agent_id is None or not clock.shift_has_begun(day, shift, moment):
                    continue
                share = 0.55 if shift == Shift.DAY else 0.45
                if contract.shift:
                    share = 1.0
                base = contract.shop.daily_inquiries_estimate * share * weekday_factor
                inquiries = max(0, round(rng.gauss(base, base * 0.07)))
                conversions = int(inquiries * rng.uniform(0.35, 0.75))
                buyer_messages = inquiries * rng.randint(4, 8)
                rows.append(
                    {
                        "agent": agent_id,
                        "shop": contract.shop_id,
                        "date": day.isoformat(),
                        "shift": shift,
                        "inquiries": inquiries,
                        "conversions": conversions,
                        "buyer_messages": buyer_messages,
                        "agent_messages": int(buyer_messages * rng.uniform(0.9, 1.6)),
                        "first_response_seconds": int(rng.triangular(8, 200, 35)),
                        "sales_amount": f"{conversions * rng.uniform(60, 260):.2f}",
                    }
                )
        day += dt.timedelta(days=1)
    for index in range(0, len(rows), 5000):
        workload_bulk_upsert(rows=rows[index : index + 5000])
    return len(rows)


HANDOVER_AT = dt.time(17, 0)
"""The handover: the night agent arrives and reads the day agent's notes."""


def _handover_notes(today: dt.date) -> None:
    """The day agents' notes of the last two days, and of today once they write them (from 16:00),
    written from the day agent's account and acknowledged from the night agent's a few minutes
    after the 17:00 handover. Before 17:00 only S02's day agent has written a note of today. At
    most two notes wait, so the dashboard has something to show without dozens of them:
    yesterday's first note of S01 (a night agent who forgot: overdue at any hour) and, until 18:00
    (the alert time), S02's first of today (the night agent is still reading)."""
    now = clock.now()
    tz = timezone.get_current_timezone()
    contracts = list(
        Contract.objects.filter(seat__isnull=False)
        .select_related("shop", "seat")
        .order_by("seat__code", "shop_id")
    )
    offsets = (2, 1, 0) if now.time() >= dt.time(16, 0) else (2, 1)
    for offset in offsets:
        day = today - dt.timedelta(days=offset)
        handover_at = dt.datetime.combine(day, HANDOVER_AT, tzinfo=tz)
        alert_at = dt.datetime.combine(day, HANDOVER_ALERT_AT, tzinfo=tz)
        written = {
            (note.seat_id, note.shop_id)
            for note in HandoverNote.objects.filter(date=day).only("seat", "shop")
        }
        workers: dict[int, dict] = {}
        early_written = False
        waiting_left = {"S01"} if offset == 1 else {"S02"} if offset == 0 else set()
        for number, contract in enumerate(contracts):
            seat = contract.seat
            if not contract.is_active_on(day) or (seat.pk, contract.shop_id) in written:
                continue
            if offset == 0 and now < handover_at and (seat.code != "S02" or early_written):
                continue  # before 17:00 S02's day agent alone has written a first note
            early_written = early_written or offset == 0
            if seat.pk not in workers:
                workers[seat.pk] = handover_agents(seat=seat, day=day)
            day_agent, night_agent = workers[seat.pk][Shift.DAY], workers[seat.pk][Shift.NIGHT]
            if day_agent is None:
                continue
            # The service lets an agent write only today's notes (from 16:00); older ones are
            # written as the system and signed with the day agent's account, as on the day.
            is_today = offset == 0
            note = handover_note_create(
                seat=seat,
                shop=contract.shop,
                date=day,
                from_agent=day_agent,
                open_cases=f"订单 #{contract.shop_id * 1000 + offset}: 买家等待退款审核 / "
                "buyer waits for a refund review.",
                promises="20:00 前回复物流进度 / reply with the tracking status before 20:00.",
                actor=day_agent.user if is_today else None,
            )
            if not is_today:
                HandoverNote.objects.filter(pk=note.pk).update(written_by=day_agent.user)
            if seat.code in waiting_left and (offset == 1 or now < alert_at):
                waiting_left.discard(seat.code)
                continue
            if night_agent is None or now < handover_at:
                continue
            read_at = min(handover_at + dt.timedelta(minutes=3 + number % 25), now)
            handover_note_acknowledge(note=note, actor=night_agent.user)
            # The night agent read it a few minutes after the handover, not when the demo ran.
            HandoverNote.objects.filter(pk=note.pk).update(acknowledged_at=read_at)


def _dsr_ratings(manager: User, shops, today: dt.date) -> None:

    rng = random.Random(180)
    tz = timezone.get_current_timezone()
    recorded = set(DsrRating.objects.values_list("shop_id", "order_id"))
    ratings = []
    for shop in shops:
        quality = rng.uniform(4.3, 4.9)
        for number in range(90):
            order_id = f"{shop.platform_shop_id}-{number:05d}"
            if (shop.pk, order_id) in recorded:
                continue
            days_ago = rng.randint(0, 179)
            rated_at = dt.datetime.combine(
                today - dt.timedelta(days=days_ago), dt.time(rng.randint(9, 23), 0), tzinfo=tz
            )

            def stars(mean: float) -> int:
                return max(1, min(5, round(rng.gauss(mean, 0.6))))

            ratings.append(
                {
                    "shop_id": shop.pk,
                    # Loyal buyers rate often: past their third rating a month, none counts.
                    "buyer": f"buyer{rng.randint(1, 60)}",
                    "order_id": order_id,
                    "rated_at": rated_at,
                    "paid_with_alipay": rng.random() > 0.08,
                    "description": stars(quality),
                    "service": stars(quality + 0.1 - days_ago / 900),
                    "logistics": stars(quality - 0.1),
                }
            )
    if ratings:
        dsr_ratings_record(actor=manager, ratings=ratings)


LAST_MONTH_UNCONFIRMED = 2
"""Commission shops whose turnover of last month the agency has not confirmed yet (submitted)."""
LAST_MONTH_UNREPORTED = 1
"""Commission shops whose owner has not reported last month's turnover yet."""


def _turnover(manager: User, shops, today: dt.date) -> None:
    """The month before last reported and confirmed for every commission shop; last month
    reported by all owners but one and confirmed by the agency except two reports, so a few drafts
    (not dozens) wait for turnover on the dashboard."""
    rng = random.Random(11)
    last_month = clock.previous_month(today)
    month_before = clock.previous_month(last_month)
    commission = [
        shop for shop in shops if shop.contracts.filter(plan__in=Plan.monthly_plans()).exists()
    ]
    for index, shop in enumerate(commission):
        # The last owners of the list are the slow ones: unreported, then unconfirmed.
        from_end = len(commission) - index
        for month, report_it, confirm in (
            (month_before, True, True),
            (
                last_month,
                from_end > LAST_MONTH_UNREPORTED,
                from_end > LAST_MONTH_UNREPORTED + LAST_MONTH_UNCONFIRMED,
            ),
        ):
            # Small shops: 2,000-4,000 CNY of sales a day for 150 inquiries, so that commission
            # tops up the base fee instead of dwarfing it and a seat's margin stays believable.
            amount = Decimal(shop.daily_inquiries_estimate * rng.randint(400, 800))
            if not report_it:
                continue
            report = TurnoverReport.objects.filter(shop=shop, month=month).first()
            if report is None:
                report = turnover_submit(actor=shop.owner, shop=shop, month=month, amount=amount)
            if confirm and report.status != TurnoverReport.Status.CONFIRMED:
                turnover_confirm(report_id=report.pk, actor=manager)


def _sub_accounts(manager: User, today: dt.date) -> int:
    """Each agent holds a sub-account of every shop their seat-shift serves, named as 赤兔 exports
    write it (``<shop name>:<agent's given name>``), granted when the contract began. Those of
    shops whose short job has ended were revoked on its last day, except one, left on the
    dashboard's list of sub-accounts to revoke."""
    contracts = (
        Contract.objects.filter(seat__isnull=False).select_related("shop").order_by("shop_id", "id")
    )
    holders = {
        (a.seat_id, a.shift): a
        for a in SeatAssignment.objects.filter(end_date=None).select_related("agent")
    }
    held = set(SubAccount.objects.values_list("shop_id", "agent_id"))
    left_to_revoke = False
    for contract in contracts:
        ended = contract.end_date is not None and contract.end_date < today
        for shift in covered_shifts(contract):
            assignment = holders.get((contract.seat_id, shift))
            if assignment is None or (contract.shop_id, assignment.agent_id) in held:
                continue
            agent = assignment.agent
            account = sub_account_grant(
                shop=contract.shop,
                agent=agent,
                name=f"{contract.shop.name}:{agent.first_name}",
                granted_on=max(contract.start_date, assignment.start_date),
                actor=manager,
            )
            held.add((contract.shop_id, agent.pk))
            if ended and left_to_revoke:
                sub_account_revoke(sub_account=account, revoked_on=contract.end_date, actor=manager)
            elif ended:
                left_to_revoke = True
    return len(held)


def _billing(manager: User, today: dt.date) -> None:
    """Bill the month before last and issue it (pay every other invoice), bill last month (its
    drafts wait for turnover) and the month in progress (a preview).

    Drafts recompute on every run and issued invoices never change, so this is safe to repeat.
    """
    this_month = today.replace(day=1)
    last_month = clock.previous_month(this_month)
    month_before = clock.previous_month(last_month)
    for month in (month_before, last_month, this_month):
        bill_month(month=month)
    if Invoice.objects.filter(month=month_before).exclude(status=Invoice.Status.DRAFT).exists():
        return
    ready = Invoice.objects.filter(
        month=month_before, status=Invoice.Status.DRAFT, awaiting_turnover=False
    ).order_by("shop_id")
    # Issued on the 3rd of last month, as the agency does: their due dates have passed.
    issued_on = last_month + dt.timedelta(days=2)
    for index, invoice in enumerate(list(ready)):
        invoice_issue(invoice_id=invoice.pk, actor=manager)
        Invoice.objects.filter(pk=invoice.pk).update(
            issued_at=timezone.make_aware(dt.datetime.combine(issued_on, dt.time(10))),
            due_date=invoice_due_date(shop=invoice.shop, issued_on=issued_on),
        )
        _payments(manager, invoice.pk, index, issued_on=issued_on, today=today)


def _payments(manager: User, invoice_id: int, index: int, *, issued_on, today) -> None:
    """Some invoices paid by bank transfer in two parts, some in one go (the old "mark paid"),
    one part-paid with an overdue balance, one overpaid (the excess is the shop's credit
    balance, which its next invoice uses); the rest unpaid and overdue."""
    invoice = Invoice.objects.select_related("shop").get(pk=invoice_id)
    balance = invoice.balance
    if balance <= 0:
        return
    payer = invoice.shop.billing_name or invoice.shop.name

    def pay(amount, days: int, **extra) -> None:
        payment_record(
            invoice_id=invoice_id,
            amount=amount,
            method=extra.pop("method", PaymentMethod.BANK_TRANSFER),
            received_on=min(issued_on + dt.timedelta(days=days), today),
            payer=payer,
            reference=f"{invoice.number} 服务费",
            actor=manager,
            **extra,
        )

    if index % 4 == 0:
        first = (balance / 2).quantize(Decimal("0.01"))
        pay(first, 6)
        pay(balance - first, 13)
    elif index == 1:
        pay((balance * Decimal("0.4")).quantize(Decimal("0.01")), 10)
    elif index == 3:
        pay(balance + Decimal("300.00"), 8, excess_to_credit=True)
    elif index % 4 == 2:
        invoice_pay(invoice_id=invoice_id, actor=manager, method=PaymentMethod.ALIPAY)


def _credit_notes(manager: User, today: dt.date) -> None:
    """Two credit notes (红冲单) on the month before last: a part of a paid invoice, which becomes
    the shop's credit balance (its next issued invoice uses it), and a part of an issued one,
    which lowers what the shop owes. Once only."""
    if CreditNote.objects.exists():
        return
    month_before = clock.previous_month(clock.previous_month(today.replace(day=1)))
    invoices = Invoice.objects.filter(month=month_before).order_by("shop_id")
    paid = invoices.filter(status=Invoice.Status.PAID).first()
    issued = invoices.filter(status=Invoice.Status.ISSUED).first()
    if paid is not None:
        credit_note_create(
            invoice_id=paid.pk,
            amount=(paid.total / 10).quantize(Decimal("0.01")),
            reason="夜班两天无人值守，按服务天数退还部分基础服务费。",
            actor=manager,
        )
    if issued is not None:
        credit_note_create(
            invoice_id=issued.pk,
            amount=min(issued.total, Decimal("500.00")),
            reason="已退款订单的销售额计入了提成，应店主要求红冲。",
            actor=manager,
        )


# Days past the due date of the unpaid invoices, in turn (negative: not due yet); each is
# clamped so that the invoice was issued after its month ended.
OVERDUE_AGES = (45, 20, 8, 1, -2)


def _overdue(today: dt.date) -> None:
    """Make the unpaid issued invoices due at different ages, with the reminders the daily job
    would have sent (all but the first one's: its owner has not been reminded yet), so that the
    dashboard, the receivables page and the portal have something overdue to show.

    Those not paid at all are moved in time (issue date, due date) to spread their ages; those
    paid in part keep their dates. Skipped once any reminder exists, so seeding again changes
    nothing.
    """
    if PaymentReminder.objects.exists():
        return
    unpaid = list(
        Invoice.objects.filter(status=Invoice.Status.ISSUED).select_related("shop__owner")
    )
    stages = reminder_stages()
    for index, invoice in enumerate(sorted(unpaid, key=lambda invoice: invoice.shop_id)):
        terms = (invoice.due_date - timezone.localdate(invoice.issued_at)).days
        if invoice.amount_paid > 0:
            # Paid in part already: its dates stay before its payments.
            due, issued_on = invoice.due_date, timezone.localdate(invoice.issued_at)
        else:
            earliest_issue = month_last_day(invoice.month) + dt.timedelta(days=1)
            due = max(
                today - dt.timedelta(days=OVERDUE_AGES[index % len(OVERDUE_AGES)]),
                earliest_issue + dt.timedelta(days=terms),
            )
            issued_on = due - dt.timedelta(days=terms)
        age = (today - due).days
        Invoice.objects.filter(pk=invoice.pk).update(
            issued_at=timezone.make_aware(dt.datetime.combine(issued_on, dt.time(10))),
            due_date=due,
            overdue_published_at=timezone.now() if age > 0 and index else None,
        )
        if index == 0:
            continue
        PaymentReminder.objects.bulk_create(
            PaymentReminder(
                invoice=invoice,
                kind="before_due" if stage < 0 else "overdue",
                days=stage,
                sent_on=due + dt.timedelta(days=stage),
                recipient=invoice.shop.invoice_email,
            )
            for stage in stages
            if stage <= age and not (stage < 0 and due + dt.timedelta(days=stage) < issued_on)
        )


REVIEWS_PER_AGENT_MONTH = 3


def _quality_reviews(manager: User, today: dt.date) -> int:
    """Three sampled conversations per agent and month (质检), from the month before last to
    yesterday, scored on the sheet's items with a few points off here and there and one fatal
    breach; then one appeal waiting for a decision (张伟's latest review) and one decided.

    Reviews have no natural key, so they are seeded once: a database holding any is left as it is.
    """
    if QualityReview.objects.exists():
        return 0
    rng = random.Random(14)
    items = list(qa_item_list(active_only=True))
    weighted = [item for item in items if not item.fatal]
    fatal = [item for item in items if item.fatal]
    start = clock.previous_month(clock.previous_month(today.replace(day=1)))
    yesterday = today - dt.timedelta(days=1)
    worked = (
        WorkloadRecord.objects.filter(date__gte=start, date__lte=yesterday)
        .order_by("agent_id", "date", "shop_id")
        .values_list("agent_id", "shop_id", "date")
        .distinct()
    )
    by_agent_month: dict[tuple[int, dt.date], list[tuple[int, dt.date]]] = {}
    for agent_id, shop_id, day in worked:
        by_agent_month.setdefault((agent_id, day.replace(day=1)), []).append((shop_id, day))
    agents = Agent.objects.in_bulk([agent_id for agent_id, _ in by_agent_month])
    shops = Shop.objects.in_bulk(
        {shop_id for rows in by_agent_month.values() for shop_id, _ in rows}
    )
    created = []
    for (agent_id, _month), rows in sorted(by_agent_month.items()):
        for shop_id, day in rng.sample(rows, min(REVIEWS_PER_AGENT_MONTH, len(rows))):
            marks = {
                item.pk: max(item.weight - rng.choice([0, 0, 0, 1, 2, 3, 5]), 0)
                for item in weighted
            }
            breached = [fatal[0].pk] if fatal and rng.random() < 0.01 else []
            created.append(
                review_create(
                    agent=agents[agent_id],
                    shop=shops[shop_id],
                    chat_date=day,
                    chat_reference=f"QN-{day:%Y%m%d}-{agent_id:03d}{shop_id:03d}",
                    marks=marks,
                    breached=breached,
                    comment="" if not breached else "引导买家站外退款，触犯红线。",
                    actor=manager,
                )
            )
    zhang = Agent.objects.filter(employee_no="E001").select_related("user").first()
    own = sorted(
        (review for review in created if zhang and review.agent_id == zhang.pk),
        key=lambda review: review.chat_date,
    )
    if zhang is not None and zhang.user is not None and len(own) >= 2:
        review_appeal(
            review=own[-1],
            reason="买家两次询问尺码，我两次都在一分钟内回复了，请复核聊天记录。",
            actor=zhang.user,
        )
        decided = review_appeal(
            review=own[-2],
            reason="我报的是店铺双十一活动价，见店铺交接说明。",
            actor=zhang.user,
        )
        review_decide(
            review=decided,
            decision="upheld",
            note="双十一活动价前一天已结束，质检结果维持。",
            actor=manager,
        )
    return len(created)


def _payroll(manager: User, today: dt.date) -> None:
    """Run the payroll of the month before last and approve it (with one adjustment: a bonus
    paid after approval), and run last month's, left as a draft for a manager to approve.

    Approved months are locked and drafts recompute on every run, so this is safe to repeat.
    """
    last_month = clock.previous_month(today.replace(day=1))
    month_before = clock.previous_month(last_month)
    for month in (month_before, last_month):
        if PayrollMonth.objects.filter(month=month, approved_at__isnull=False).exists():
            continue
        run = payroll_run_create(month=month, requested_by=manager, enqueue=False)
        payroll_run_execute(run_id=run.pk)
    if not PayrollMonth.objects.filter(month=month_before, approved_at__isnull=False).exists():
        payroll_month_approve(month=month_before, actor=manager)
        first = Payslip.objects.filter(month=month_before).order_by("agent__employee_no").first()
        if first is not None:
            payslip_adjust(
                payslip=first,
                amount=Decimal("200.00"),
                reason="店铺大促周末加班补发，月结后确认。",
                actor=manager,
            )


def seed_demo() -> list[str]:

    today = clock.today()
    start = history_start(today)
    manager = _user("manager", staff=True, first_name="Li Na", email="manager@agency.example")
    seats, agents = _seats_and_agents(start)
    floater = _agent_accounts(agents)
    _pay_terms(manager, agents)
    _past_leave_and_covers(manager, seats, agents, floater, today)
    _leave_and_cover(manager, seats, agents, floater, today)
    shops = _shops_and_contracts(manager, seats, today, start)
    rows = _workloads(today, start)
    _handover_notes(today)
    _sub_accounts(manager, today)
    _dsr_ratings(manager, shops, today)
    _turnover(manager, shops, today)
    _billing(manager, today)
    _credit_notes(manager, today)
    _overdue(today)
    reviews = _quality_reviews(manager, today)
    _payroll(manager, today)
    return [
        f"seats: {len(seats)}, agents: {len(agents) + 1}, shops: {Shop.objects.count()}",
        f"workload rows sent: {rows}, stored: {WorkloadRecord.objects.count()}",
        f"quality reviews: {reviews or QualityReview.objects.count()}, "
        f"payslips: {Payslip.objects.count()}",
    ]
