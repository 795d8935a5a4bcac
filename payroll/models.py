"""Agent performance and pay: the pay book, quality reviews (质检), payroll runs and payslips.

Money is ``Decimal`` in CNY, rounded half-up to the cent per line (``payroll.calculations``).
An approved month's payslips never change (a PostgreSQL trigger refuses it); corrections are
adjustment lines with a reason.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agency.models import TimeStampedModel
from payroll import defaults
from payroll.choices import Grade, Kpi, PayrollRunStatus, PayslipStatus, ReviewStatus

_MONEY = {"max_digits": 12, "decimal_places": 2}
_SHARE = {"max_digits": 6, "decimal_places": 4}
_SCORE = {"max_digits": 5, "decimal_places": 2}
_NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
_PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


def _weight(kpi: str, label) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, default=defaults.WEIGHTS[kpi], validators=_PERCENT
    )


class PayBook(TimeStampedModel):
    """The agency's pay rules from a month on (薪酬方案): KPI weights and targets, grade floors and
    bonuses, the default commission rate and the cover allowance.

    The pay book of a month is the one with the latest ``effective_from`` on or before it
    (``payroll.selectors.pay_book_for``); with none, the defaults of ``payroll.defaults``.
    Every change is kept in its history (who, when, what).
    """

    effective_from = models.DateField(
        _("effective from"), unique=True, help_text=_("First day of the first month it applies to.")
    )
    weight_inquiries = _weight(Kpi.INQUIRIES, _("weight: inquiries per day worked"))
    weight_conversion = _weight(Kpi.CONVERSION, _("weight: conversion rate"))
    weight_answer_ratio = _weight(Kpi.ANSWER_RATIO, _("weight: answer ratio"))
    weight_fast_responses = _weight(Kpi.FAST_RESPONSES, _("weight: first responses within 120 s"))
    weight_sales = _weight(Kpi.SALES, _("weight: attributed sales"))
    weight_attendance = _weight(Kpi.ATTENDANCE, _("weight: attendance"))
    weight_quality = _weight(Kpi.QUALITY, _("weight: quality review average"))
    target_inquiries = models.DecimalField(
        _("target: inquiries per day worked"),
        max_digits=6,
        decimal_places=1,
        default=defaults.TARGETS["inquiries"],
        validators=_NON_NEGATIVE,
    )
    target_conversion = models.DecimalField(
        _("target: conversion rate"),
        **_SHARE,
        default=defaults.TARGETS["conversion"],
        validators=_NON_NEGATIVE,
    )
    target_answer_ratio = models.DecimalField(
        _("target: answer ratio"),
        **_SHARE,
        default=defaults.TARGETS["answer_ratio"],
        validators=_NON_NEGATIVE,
    )
    target_fast_responses = models.DecimalField(
        _("target: share of first responses within 120 s"),
        **_SHARE,
        default=defaults.TARGETS["fast_responses"],
        validators=_NON_NEGATIVE,
    )
    target_sales = models.DecimalField(
        _("target: attributed sales a month"),
        **_MONEY,
        default=defaults.TARGETS["sales"],
        validators=_NON_NEGATIVE,
    )
    target_attendance = models.DecimalField(
        _("target: attendance"),
        **_SHARE,
        default=defaults.TARGETS["attendance"],
        validators=_NON_NEGATIVE,
    )
    target_quality = models.DecimalField(
        _("target: quality review average"),
        **_SCORE,
        default=defaults.TARGETS["quality"],
        validators=_NON_NEGATIVE,
    )
    gold_from = models.DecimalField(
        _("gold from score"), **_SCORE, default=defaults.GRADE_FLOORS["gold"]
    )
    silver_from = models.DecimalField(
        _("silver from score"), **_SCORE, default=defaults.GRADE_FLOORS["silver"]
    )
    bronze_from = models.DecimalField(
        _("bronze from score"), **_SCORE, default=defaults.GRADE_FLOORS["bronze"]
    )
    gold_bonus = models.DecimalField(
        _("gold bonus"), **_MONEY, default=defaults.GRADE_BONUSES["gold"], validators=_NON_NEGATIVE
    )
    silver_bonus = models.DecimalField(
        _("silver bonus"),
        **_MONEY,
        default=defaults.GRADE_BONUSES["silver"],
        validators=_NON_NEGATIVE,
    )
    bronze_bonus = models.DecimalField(
        _("bronze bonus"),
        **_MONEY,
        default=defaults.GRADE_BONUSES["bronze"],
        validators=_NON_NEGATIVE,
    )
    commission_rate = models.DecimalField(
        _("default commission rate"),
        **_SHARE,
        default=defaults.COMMISSION_RATE,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.2"))],
        help_text=_("A share of attributed sales, e.g. 0.0020 for 0.2 %."),
    )
    cover_allowance = models.DecimalField(
        _("allowance per cover shift"),
        **_MONEY,
        default=defaults.COVER_ALLOWANCE,
        validators=_NON_NEGATIVE,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("pay book")
        verbose_name_plural = _("pay books")
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_from__day=1), name="pay_book_from_first_of_month"
            ),
            models.CheckConstraint(
                condition=Exact(
                    sum(
                        (F(f"weight_{kpi}") for kpi in Kpi.values[1:]), F(f"weight_{Kpi.values[0]}")
                    ),
                    100,
                ),
                name="pay_book_weights_total_100",
            ),
            models.CheckConstraint(
                condition=Q(gold_from__gt=F("silver_from"), silver_from__gt=F("bronze_from"))
                & Q(bronze_from__gte=0, gold_from__lte=100),
                name="pay_book_grades_ordered",
            ),
            models.CheckConstraint(
                condition=Q(commission_rate__gte=0, commission_rate__lte=Decimal("0.2")),
                name="pay_book_commission_rate_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from:%Y-%m}"

    @property
    def weights(self) -> dict[str, int]:
        return {kpi: getattr(self, f"weight_{kpi}") for kpi in Kpi.values}

    @property
    def targets(self) -> dict[str, Decimal]:
        return {kpi: getattr(self, f"target_{kpi}") for kpi in Kpi.values}

    @property
    def grade_floors(self) -> dict[str, Decimal]:
        return {"gold": self.gold_from, "silver": self.silver_from, "bronze": self.bronze_from}

    @property
    def grade_bonuses(self) -> dict[str, Decimal]:
        return {
            "gold": self.gold_bonus,
            "silver": self.silver_bonus,
            "bronze": self.bronze_bonus,
            "improve": Decimal("0.00"),
        }


class QaItem(TimeStampedModel):
    """One line of the quality review sheet (质检评分表): a weighted item scored 0..weight, or a
    fatal item (红线) whose breach zeroes the review. Built-in items carry a ``code`` and are
    named in the reader's language; items the agency adds carry their own ``name``."""

    code = models.SlugField(_("code"), max_length=40, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("points"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("The most points this item gives; 0 for a fatal item."),
    )
    fatal = models.BooleanField(
        _("fatal"), default=False, help_text=_("A breach zeroes the whole review.")
    )
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["fatal", "position", "id"]
        verbose_name = _("quality review item")
        verbose_name_plural = _("quality review items")
        constraints = [
            models.CheckConstraint(
                condition=Q(fatal=True, weight=0) | Q(fatal=False, weight__gt=0),
                name="qa_item_fatal_or_weighted",
            ),
            models.CheckConstraint(
                condition=Q(code__isnull=False) | ~Q(name=""), name="qa_item_named"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        from payroll.qa_items import builtin_label

        return builtin_label(self.code) or self.name


class QualityReview(TimeStampedModel):
    """A manager's review of one sampled conversation (质检) of an agent in a shop.

    ``score`` (0-100) is the points given over the points possible, or 0 when a fatal item was
    breached (``payroll.calculations.review_score``). The agent may appeal within
    ``defaults.APPEAL_DAYS`` days of ``created_at``; a manager then upholds, rescores or
    withdraws it (a withdrawn review does not count).
    """

    Status = ReviewStatus

    agent = models.ForeignKey(
        "seats.Agent", verbose_name=_("agent"), on_delete=models.PROTECT, related_name="reviews"
    )
    shop = models.ForeignKey(
        "shops.Shop", verbose_name=_("shop"), on_delete=models.PROTECT, related_name="reviews"
    )
    chat_date = models.DateField(_("date of the conversation"))
    chat_reference = models.CharField(
        _("conversation reference"),
        max_length=200,
        help_text=_("The chat's id or link in the platform's workbench (千牛, 拼多多商家后台)."),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)
    score = models.DecimalField(_("score"), **_SCORE, validators=_NON_NEGATIVE)
    fatal = models.BooleanField(_("fatal item breached"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCORED
    )
    appeal_reason = models.TextField(_("appeal"), blank=True)
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)
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
        ordering = ["-chat_date", "-id"]
        verbose_name = _("quality review")
        verbose_name_plural = _("quality reviews")
        indexes = [models.Index(fields=["agent", "chat_date"], name="review_agent_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="review_score_0_100"
            ),
            models.CheckConstraint(
                condition=Q(fatal=False) | Q(score=0), name="review_fatal_scores_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.chat_date} {self.score}"

    @property
    def appeal_until(self) -> datetime | None:
        """The last moment the agent may appeal: ``APPEAL_DAYS`` days after the review."""
        if self.created_at is None:
            return None
        return self.created_at + timedelta(days=defaults.APPEAL_DAYS)

    def appeal_open(self, moment: datetime) -> bool:
        """Whether an appeal may still be lodged at ``moment``: scored, never appealed, and
        within the window."""
        return (
            self.status == ReviewStatus.SCORED
            and self.appealed_at is None
            and self.appeal_until is not None
            and moment <= self.appeal_until
        )


class ReviewMark(models.Model):
    """The points a review gave on one item (a fatal item: breached or not)."""

    review = models.ForeignKey(
        QualityReview, verbose_name=_("review"), on_delete=models.CASCADE, related_name="marks"
    )
    item = models.ForeignKey(
        QaItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="marks"
    )
    points = models.PositiveSmallIntegerField(_("points"), default=0)
    breached = models.BooleanField(_("breached"), default=False)

    class Meta:
        ordering = ["review_id", "item__fatal", "item__position", "item_id"]
        verbose_name = _("review mark")
        verbose_name_plural = _("review marks")
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="review_mark_one_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}/{self.item_id}: {self.points}{' !' if self.breached else ''}"


class PayrollRun(TimeStampedModel):
    """One computation of a month's payslips (a Celery task, like a billing run)."""

    Status = PayrollRunStatus

    month = models.DateField(_("month"), help_text=_("First day of the month paid."))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    payslips_created = models.PositiveIntegerField(_("payslips created"), default=0)
    payslips_updated = models.PositiveIntegerField(_("payslips updated"), default=0)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payroll run")
        verbose_name_plural = _("payroll runs")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} ({self.status})"


class PayrollMonth(models.Model):
    """A month's payroll as a whole: a draft until a manager approves it, then locked."""

    month = models.DateField(_("month"), unique=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-month"]
        verbose_name = _("payroll month")
        verbose_name_plural = _("payroll months")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="payroll_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


class Payslip(models.Model):
    """One agent's pay for one month (工资条): the figures of the run that computed it, with the
    scorecard's arithmetic in ``details``. ``total`` = base_pay - deductions + commission + bonus
    + cover_allowance + adjustments (``payroll.calculations.payslip_total``)."""

    Status = PayslipStatus

    agent = models.ForeignKey(
        "seats.Agent", verbose_name=_("agent"), on_delete=models.PROTECT, related_name="payslips"
    )
    month = models.DateField(_("month"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    base_salary = models.DecimalField(_("monthly base salary"), **_MONEY)
    days_in_month = models.PositiveSmallIntegerField(_("days in month"))
    employed_days = models.PositiveSmallIntegerField(_("days employed"))
    unpaid_leave_days = models.PositiveSmallIntegerField(_("unpaid leave days"), default=0)
    base_pay = models.DecimalField(_("base pay"), **_MONEY)
    deductions = models.DecimalField(_("deductions"), **_MONEY, default=Decimal("0.00"))
    attributed_sales = models.DecimalField(_("attributed sales"), max_digits=14, decimal_places=2)
    commission_rate = models.DecimalField(_("commission rate"), **_SHARE)
    commission = models.DecimalField(_("commission"), **_MONEY)
    score = models.DecimalField(_("score"), **_SCORE, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices, blank=True)
    bonus = models.DecimalField(_("grade bonus"), **_MONEY, default=Decimal("0.00"))
    cover_shifts = models.PositiveSmallIntegerField(_("cover shifts"), default=0)
    cover_allowance = models.DecimalField(_("cover allowance"), **_MONEY, default=Decimal("0.00"))
    adjustments = models.DecimalField(_("adjustments"), **_MONEY, default=Decimal("0.00"))
    total = models.DecimalField(_("total"), **_MONEY)
    details = models.JSONField(_("details"), default=dict, blank=True)
    figures_hash = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-month", "agent__name", "agent_id"]
        verbose_name = _("payslip")
        verbose_name_plural = _("payslips")
        constraints = [
            models.UniqueConstraint(fields=["agent", "month"], name="payslip_one_per_agent_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="payslip_month_first_day"),
            models.CheckConstraint(
                condition=Q(
                    base_pay__gte=0,
                    deductions__gte=0,
                    commission__gte=0,
                    bonus__gte=0,
                    cover_allowance__gte=0,
                ),
                name="payslip_lines_non_negative",
            ),
            # Rounded to the cent: SQLite keeps decimals as binary floats, whose sum of six
            # lines can miss the stored total by a fraction of a cent (PostgreSQL is exact).
            models.CheckConstraint(
                condition=Q(
                    total=Round(
                        F("base_pay")
                        - F("deductions")
                        + F("commission")
                        + F("bonus")
                        + F("cover_allowance")
                        + F("adjustments"),
                        2,
                    )
                ),
                name="payslip_total_is_sum_of_lines",
            ),
        ]
        indexes = [models.Index(fields=["month", "agent"], name="payslip_month_agent")]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.month:%Y-%m} {self.total}"


class PayslipAdjustment(models.Model):
    """A correction of a payslip (补发 / 扣款) with its reason; approved payslips change only by
    these, and they are never edited or deleted."""

    payslip = models.ForeignKey(
        Payslip,
        verbose_name=_("payslip"),
        on_delete=models.PROTECT,
        related_name="adjustment_lines",
    )
    amount = models.DecimalField(_("amount"), **_MONEY)
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("payslip adjustment")
        verbose_name_plural = _("payslip adjustments")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_not_zero"),
            models.CheckConstraint(condition=~Q(reason=""), name="adjustment_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.payslip_id}: {self.amount} ({self.reason})"
