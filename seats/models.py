from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agency.choices import Shift
from agency.dates import active_on_q, overlapping_q
from agency.models import TimeStampedModel
from seats import calculations
from seats.choices import AgentStatus, LeaveStatus


class Agent(TimeStampedModel):
    """An employee who answers buyers' chats (客服)."""

    Status = AgentStatus

    name = models.CharField(_("name"), max_length=100)
    employee_no = models.CharField(_("employee number"), max_length=30, unique=True)
    hired_on = models.DateField(_("hired on"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    base_salary = models.DecimalField(
        _("monthly base salary"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    email = models.EmailField(_("email"), blank=True)
    # Commission on the agent's attributed sales (提成); empty: the pay book's rate for the month.
    commission_rate = models.DecimalField(
        _("commission rate"),
        max_digits=6,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.2"))],
        help_text=_(
            "A share of the agent's attributed sales, e.g. 0.0020 for 0.2 %; "
            "empty: the pay book's rate."
        ),
    )
    # The last day employed (set when the agent leaves): pay is prorated up to it.
    left_on = models.DateField(_("last working day"), null=True, blank=True)
    # The account the agent signs in with (the third role, next to managers and owners).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agent_profile",
    )
    # Salaries change; seat profitability for a past month must use the salary then in force.
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        constraints = [
            models.CheckConstraint(
                condition=Q(base_salary__gte=0), name="agent_salary_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(commission_rate__isnull=True)
                | Q(commission_rate__gte=0, commission_rate__lte=Decimal("0.2")),
                name="agent_commission_rate_in_range",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("hired_on")),
                name="agent_left_after_hired",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_no})"

    @property
    def first_name(self) -> str:
        """What owners see of an agent: the given name only (Chinese names: the last 1-2 chars)."""
        parts = self.name.split()
        if len(parts) > 1:
            return parts[0]
        return self.name[1:] if len(self.name) >= 2 and not self.name.isascii() else self.name


class Seat(TimeStampedModel):
    """One service position covered 09:00-24:00 by a day agent and a night agent (坐席)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    overhead = models.DecimalField(
        _("monthly overhead"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("800.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [
            models.CheckConstraint(condition=Q(overhead__gte=0), name="seat_overhead_non_negative"),
        ]

    def __str__(self) -> str:
        return self.code


class SeatAssignmentQuerySet(models.QuerySet):
    def active_on(self, day: date) -> "SeatAssignmentQuerySet":
        """Assignments whose inclusive range [start, end] (end open when null) contains ``day``."""
        return self.filter(active_on_q(day))

    def overlapping(self, start: date, end: date | None) -> "SeatAssignmentQuerySet":
        """Assignments whose inclusive range meets [start, end]; ``end=None`` is open-ended."""
        return self.filter(overlapping_q(start, end))


class SeatAssignment(TimeStampedModel):
    """An agent covering one shift of a seat over a date range (end inclusive, or open).

    At any date a seat has at most one agent per shift and an agent holds at most one seat-shift;
    the service checks this, and on PostgreSQL exclusion constraints enforce it too.
    """

    seat = models.ForeignKey(
        Seat, verbose_name=_("seat"), on_delete=models.PROTECT, related_name="assignments"
    )
    agent = models.ForeignKey(
        Agent, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="assignments"
    )
    shift = models.CharField(_("shift"), max_length=10, choices=Shift.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    history = HistoricalRecords()

    objects = SeatAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["seat__code", "shift", "-start_date"]
        verbose_name = _("seat assignment")
        verbose_name_plural = _("seat assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="assignment_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["seat", "shift", "start_date"], name="assignment_seat_shift_start_unique"
            ),
            models.UniqueConstraint(
                fields=["agent", "start_date"], name="assignment_agent_start_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seat} {self.shift}: {self.agent.name}"


class WorkloadRecord(TimeStampedModel):
    """One agent's work for one shop on one date in one shift; upserted by those four keys."""

    agent = models.ForeignKey(
        Agent, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="workloads"
    )
    shop = models.ForeignKey(
        "shops.Shop", verbose_name=_("shop"), on_delete=models.PROTECT, related_name="workloads"
    )
    date = models.DateField(_("date"))
    shift = models.CharField(_("shift"), max_length=10, choices=Shift.choices)
    inquiries = models.PositiveIntegerField(_("inquiries"), default=0)
    conversions = models.PositiveIntegerField(_("conversions"), default=0)
    # Not every export carries these (生意参谋 has no message counts, 赤兔 no sales): empty
    # means unknown, and every figure that needs them is shown as unknown, never as 0.
    buyer_messages = models.PositiveIntegerField(_("buyer messages"), null=True, blank=True)
    agent_messages = models.PositiveIntegerField(_("agent messages"), null=True, blank=True)
    first_response_seconds = models.PositiveIntegerField(
        _("average first response (s)"), null=True, blank=True
    )
    sales_amount = models.DecimalField(
        _("sales attributed"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["-date", "agent_id", "shop_id", "shift"]
        verbose_name = _("workload record")
        verbose_name_plural = _("workload records")
        indexes = [
            models.Index(fields=["shop", "date"], name="workload_shop_date_idx"),
            models.Index(fields=["date"], name="workload_date_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "shop", "date", "shift"], name="workload_one_per_key"
            ),
            models.CheckConstraint(
                condition=Q(conversions__lte=F("inquiries")),
                name="workload_conversions_within_inquiries",
            ),
            models.CheckConstraint(
                condition=Q(sales_amount__gte=0), name="workload_sales_non_negative"
            ),
            *[
                models.CheckConstraint(condition=Q(**{f"{f}__gte": 0}), name=f"workload_{f}_gte_0")
                for f in (
                    "inquiries",
                    "conversions",
                    "buyer_messages",
                    "agent_messages",
                    "first_response_seconds",
                )
            ],
        ]

    def __str__(self) -> str:
        return f"{self.agent_id}/{self.shop_id} {self.date} {self.shift}"

    @property
    def conversion_rate(self) -> Decimal | None:
        return calculations.conversion_rate(self.conversions, self.inquiries)

    @property
    def answer_ratio(self) -> Decimal | None:
        return calculations.answer_ratio(self.agent_messages, self.buyer_messages)

    @property
    def first_response_miss(self) -> bool | None:
        """None when the first response time is unknown."""
        if self.first_response_seconds is None:
            return None
        return calculations.is_first_response_miss(self.first_response_seconds)


class AgentDailyLoad(models.Model):
    """Nightly roll-up: one agent's inquiries over all shops on one date, with its load band."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="daily_loads")
    date = models.DateField(_("date"))
    inquiries = models.PositiveIntegerField(_("inquiries"), default=0)
    band = models.CharField(_("load band"), max_length=20)
    alerted_at = models.DateTimeField(_("alert sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "agent_id"]
        verbose_name = _("agent daily load")
        verbose_name_plural = _("agent daily loads")
        # The pages read the roll-up by date for all agents (the dashboard's alerts and 30-day
        # chart, whether a date is rolled up yet); the unique (agent, date) index cannot seek on
        # a date alone. The agent and inquiries ride in the index so that those sums over every
        # agent read the index only, not a table page per row.
        indexes = [
            models.Index(
                fields=["date"], include=["inquiries", "agent"], name="daily_load_date_covering"
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["agent", "date"], name="daily_load_one_per_agent_date")
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.date}: {self.inquiries} ({self.band})"


class ShopDailyLoad(models.Model):
    """Nightly roll-up: one shop's inquiries over all agents on one date, and those of the day
    shift. Capacity planning reads a shop's last 28 days from it (``seats.selectors``), one row a
    shop a day instead of one an agent, shop and shift. Written with ``AgentDailyLoad``, from the
    same workloads, by the same nightly run and the same refresh after a late upload."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="daily_loads")
    date = models.DateField(_("date"))
    inquiries = models.PositiveIntegerField(_("inquiries"), default=0)
    day_inquiries = models.PositiveIntegerField(_("day-shift inquiries"), default=0)

    class Meta:
        ordering = ["-date", "shop_id"]
        verbose_name = _("shop daily load")
        verbose_name_plural = _("shop daily loads")
        # Read by date range for all shops (and whether a date is rolled up): date first.
        constraints = [
            models.UniqueConstraint(fields=["date", "shop"], name="shop_daily_load_one_per_date"),
            models.CheckConstraint(
                condition=Q(day_inquiries__lte=F("inquiries")),
                name="shop_daily_load_day_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.date}: {self.inquiries} ({self.day_inquiries} day)"


class ShopLoadWindow(models.Model):
    """A shop's workloads over the capacity window before ``as_of`` (the ``window_days`` (28)
    days up to the day before): what capacity planning on ``as_of`` reads, stored by the nightly
    roll-up so that the seats' expected load is one row a shop, not a month of rows.

    Written for the day after the day rolled up; a workload written later into a window takes
    the stored windows it falls in away (the newest is written again at once), so a window is
    either right or absent, and an absent one is summed from the roll-up and the workloads."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="load_windows")
    as_of = models.DateField(_("as of"))
    window_days = models.PositiveSmallIntegerField(_("days counted"))
    inquiries = models.PositiveIntegerField(_("inquiries"), default=0)
    day_inquiries = models.PositiveIntegerField(_("day-shift inquiries"), default=0)
    days = models.PositiveSmallIntegerField(_("days with workloads"), default=0)

    class Meta:
        ordering = ["-as_of", "shop_id"]
        verbose_name = _("shop load window")
        verbose_name_plural = _("shop load windows")
        constraints = [
            models.UniqueConstraint(fields=["as_of", "shop"], name="shop_load_window_one_per_day"),
            models.CheckConstraint(
                condition=Q(day_inquiries__lte=F("inquiries")) & Q(days__lte=F("window_days")),
                name="shop_load_window_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} as of {self.as_of}: {self.inquiries} over {self.days} days"


class LoadAlert(models.Model):
    """An agent overloaded often: on ``overloaded_days`` of the ``window_days`` (14) days ending
    ``last_day``, at least ``OVERLOAD_ALERT_DAYS`` (3). Managers hear of it once when it opens and
    again only when the count has grown by that many days since (``announced_days``); it closes
    after a quiet period, when the count falls below the threshold. At most one open per agent.
    Written by the nightly roll-up (``seats.services.rollup``)."""

    agent = models.ForeignKey(
        Agent, verbose_name=_("agent"), on_delete=models.CASCADE, related_name="load_alerts"
    )
    opened_on = models.DateField(_("opened on"))
    last_day = models.DateField(_("last day counted"))
    window_days = models.PositiveSmallIntegerField(_("days counted"))
    overloaded_days = models.PositiveSmallIntegerField(_("overloaded days"))
    announced_days = models.PositiveSmallIntegerField(_("overloaded days announced"), default=0)
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["-last_day", "agent_id"]
        verbose_name = _("load alert")
        verbose_name_plural = _("load alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["agent"],
                condition=models.Q(closed_on__isnull=True),
                name="load_alert_one_open_per_agent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent_id}: {self.overloaded_days}/{self.window_days} to {self.last_day}"


class HandoverNote(TimeStampedModel):
    """At 17:00 the day agent leaves the night agent a note per shop (交接); night acknowledges."""

    seat = models.ForeignKey(
        Seat, verbose_name=_("seat"), on_delete=models.PROTECT, related_name="handover_notes"
    )
    shop = models.ForeignKey(
        "shops.Shop",
        verbose_name=_("shop"),
        on_delete=models.PROTECT,
        related_name="handover_notes",
    )
    date = models.DateField(_("date"))
    from_agent = models.ForeignKey(
        Agent, verbose_name=_("from (day agent)"), on_delete=models.PROTECT, related_name="+"
    )
    to_agent = models.ForeignKey(
        Agent,
        verbose_name=_("to (night agent)"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    open_cases = models.TextField(_("open cases"), blank=True)
    promises = models.TextField(_("promises made to buyers"), blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    # Who really did it: the agent's own account, or the manager acting for them (never the
    # agent named on the note when somebody else pressed the button).
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # When managers were told the note was still unacknowledged at 18:00 (once per note).
    overdue_alerted_at = models.DateTimeField(_("overdue alert sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "seat_id", "shop_id"]
        verbose_name = _("handover note")
        verbose_name_plural = _("handover notes")
        constraints = [
            models.UniqueConstraint(
                fields=["seat", "shop", "date"], name="handover_one_per_seat_shop_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.seat} {self.shop} {self.date}"


class SubAccountQuerySet(models.QuerySet):
    def active(self) -> "SubAccountQuerySet":
        """Sub-accounts not revoked yet (the agent can still sign in to the shop's chat)."""
        return self.filter(revoked_on__isnull=True)

    def usable_on(self, day: date) -> "SubAccountQuerySet":
        """Sub-accounts in an agent's hands on ``day``: granted on or before it and not revoked
        before it (the revocation day counts: the agent may have worked that day)."""
        return self.filter(
            Q(granted_on__lte=day), Q(revoked_on__isnull=True) | Q(revoked_on__gte=day)
        )


class SubAccount(TimeStampedModel):
    """A platform sub-account (旺旺子账号) of a shop in an agent's hands since ``granted_on``.

    Chat exports (千牛, 赤兔) name agents by these accounts, written ``shop:name`` (e.g.
    ``小鹿童装旗舰店:小美``). One account name is in one agent's hands at a time; when the agent
    leaves or the shop's last contract ends it must be revoked (``revoked_on``), since an agent
    keeping a shop's login after the contract is the risk owners fear most.
    """

    shop = models.ForeignKey(
        "shops.Shop",
        verbose_name=_("shop"),
        on_delete=models.PROTECT,
        related_name="sub_accounts",
    )
    agent = models.ForeignKey(
        Agent, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="sub_accounts"
    )
    name = models.CharField(_("sub-account"), max_length=100)
    granted_on = models.DateField(_("granted on"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = SubAccountQuerySet.as_manager()

    class Meta:
        ordering = ["shop_id", "name", "-granted_on"]
        verbose_name = _("platform sub-account")
        verbose_name_plural = _("platform sub-accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | Q(revoked_on__gte=F("granted_on")),
                name="sub_account_revoked_after_granted",
            ),
            models.UniqueConstraint(
                fields=["shop", "name"],
                condition=Q(revoked_on__isnull=True),
                name="sub_account_one_active_per_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Leave(TimeStampedModel):
    """An agent's leave (请假) over an inclusive date range: requested, then approved or not.

    Only approved leave takes an agent off the roster; a seat-shift whose agent is on leave is
    uncovered until a cover assignment fills it.
    """

    Status = LeaveStatus

    agent = models.ForeignKey(
        Agent, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="leaves"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # Unpaid leave (事假) is deducted from the month's base pay; paid leave (年假) is not.
    unpaid = models.BooleanField(
        _("unpaid"), default=False, help_text=_("Unpaid leave days are deducted from base pay.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "agent_id"]
        verbose_name = _("leave")
        verbose_name_plural = _("leave")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="leave_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["agent", "start_date"], name="leave_agent_start")]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.start_date}..{self.end_date} ({self.status})"


class CoverAssignment(TimeStampedModel):
    """Another agent works a seat-shift for some dates (a floater, or an agent free those days).

    The cover takes the seat-shift from its regular holder on those dates: work is attributed to
    whoever really worked the shift. The agent must be free on every date (no seat-shift of their
    own, not on approved leave, no other cover); the service checks it.
    """

    seat = models.ForeignKey(
        Seat, verbose_name=_("seat"), on_delete=models.PROTECT, related_name="covers"
    )
    shift = models.CharField(_("shift"), max_length=10, choices=Shift.choices)
    agent = models.ForeignKey(
        Agent, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="covers"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["start_date", "seat_id", "shift"]
        verbose_name = _("cover assignment")
        verbose_name_plural = _("cover assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="cover_end_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["seat", "shift", "start_date"], name="cover_seat_shift_start"),
            models.Index(fields=["agent", "start_date"], name="cover_agent_start"),
        ]

    def __str__(self) -> str:
        return f"{self.seat_id} {self.shift} {self.start_date}..{self.end_date}: {self.agent_id}"


class UncoveredShiftsDigest(models.Model):
    """The daily email to managers about uncovered seat-shifts ahead was sent for ``day``.

    One row per date makes the beat job safe to run twice: the second run finds the row and
    sends nothing.
    """

    day = models.DateField(_("date"), unique=True)
    uncovered = models.PositiveIntegerField(_("uncovered seat-shifts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("uncovered seat-shifts digest")
        verbose_name_plural = _("uncovered seat-shifts digests")

    def __str__(self) -> str:
        return f"{self.day}: {self.uncovered}"
