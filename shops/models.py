from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agency.choices import CommissionMode, Plan, Shift
from agency.dates import active_on_q, overlapping_q
from agency.models import TimeStampedModel
from agency.stored import StoredRowMixin
from shops.choices import ShopPlatform, ShopStatus, TurnoverStatus
from shops.immutability import confirmed_turnover_change_check, confirmed_turnover_delete_check
from shops.validators import validate_tax_id


class Shop(TimeStampedModel):
    Platform = ShopPlatform
    Status = ShopStatus

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="shops",
    )
    name = models.CharField(_("name"), max_length=200)
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    platform_shop_id = models.CharField(_("platform shop id"), max_length=100, blank=True)
    category = models.CharField(_("product category"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROSPECT
    )
    daily_inquiries_estimate = models.PositiveIntegerField(
        _("estimated daily inquiries"), default=0
    )
    briefing = models.TextField(
        _("briefing"),
        blank=True,
        help_text=_(
            "What agents must know: products, shipping times, promotions, return rules, "
            "quick replies."
        ),
    )
    # The buyer on the shop's invoices (购买方); all optional: empty means the shop's name and
    # the owner's email address.
    billing_name = models.CharField(
        _("billing name"),
        max_length=200,
        blank=True,
        help_text=_("The company invoices are made out to; empty: the shop's name."),
    )
    tax_id = models.CharField(
        _("tax id"),
        max_length=20,
        blank=True,
        validators=[validate_tax_id],
        help_text=_(
            "纳税人识别号: the 18-character unified social credit code (older 15- or "
            "20-character numbers are accepted)."
        ),
    )
    billing_address = models.CharField(_("billing address"), max_length=300, blank=True)
    billing_email = models.EmailField(
        _("billing email"),
        blank=True,
        help_text=_("Invoices are emailed here; empty: to the owner's email address."),
    )
    # Days from an invoice's issue to its due date; NULL: the agency's default
    # (``settings.AGENCY_PAYMENTS["TERMS_DAYS"]``, 15).
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"),
        null=True,
        blank=True,
        help_text=_("Days from an invoice's issue to its due date; empty: the agency's default."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "platform_shop_id"],
                condition=~Q(platform_shop_id=""),
                name="shop_platform_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(daily_inquiries_estimate__gte=0), name="shop_estimate_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def invoice_email(self) -> str:
        """Where the shop's invoices are emailed: the billing email, else the owner's."""
        return self.billing_email or self.owner.email


class PriceBookEntry(TimeStampedModel):
    """The agency's list price for one plan; new contracts take their defaults from here.

    The table keeps its first name (``billing_pricebookentry``, and the history's): the price
    book moved to shops, which makes the contracts that take their defaults from it.
    """

    plan = models.CharField(_("plan"), max_length=20, choices=Plan.choices, unique=True)
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Day rate for day plans, monthly fee for monthly plans (CNY, tax included)."),
    )
    commission_mode = models.CharField(
        _("commission mode"),
        max_length=20,
        choices=CommissionMode.choices,
        default=CommissionMode.GRADUATED,
    )
    commission_tiers = models.JSONField(_("commission tiers"), default=list, blank=True)
    history = HistoricalRecords(table_name="billing_historicalpricebookentry")

    class Meta:
        db_table = "billing_pricebookentry"
        ordering = ["plan"]
        verbose_name = _("price book entry")
        verbose_name_plural = _("price book")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="pricebook_price_non_negative")
        ]

    def __str__(self) -> str:
        return f"{self.get_plan_display()}: {self.price}"


class ContractQuerySet(models.QuerySet):
    """Date-range filters shared by the contract rules, billing and the API.

    Contract ranges are inclusive at both ends; ``end_date`` NULL means open-ended.
    """

    def active_on(self, day: date) -> "ContractQuerySet":
        return self.filter(active_on_q(day))

    def overlapping(self, start: date, end: date | None) -> "ContractQuerySet":
        """Contracts sharing at least one date with ``[start, end]`` (``end=None``: open)."""
        return self.filter(overlapping_q(start, end))


class Contract(TimeStampedModel):
    """What a shop bought: a plan over a date range, optionally served by one seat."""

    shop = models.ForeignKey(
        Shop, verbose_name=_("shop"), on_delete=models.PROTECT, related_name="contracts"
    )
    plan = models.CharField(_("plan"), max_length=20, choices=Plan.choices)
    shift = models.CharField(  # noqa: DJ001 - NULL means "no shift", as in the API
        _("shift"),
        max_length=10,
        choices=Shift.choices,
        null=True,
        blank=True,
        help_text=_("Only for the one-shift plan."),
    )
    seat = models.ForeignKey(
        "seats.Seat",
        verbose_name=_("seat"),
        on_delete=models.PROTECT,
        related_name="contracts",
        null=True,
        blank=True,
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Day rate for day plans, monthly fee for monthly plans (CNY, tax included)."),
    )
    commission_mode = models.CharField(
        _("commission mode"),
        max_length=20,
        choices=CommissionMode.choices,
        default=CommissionMode.GRADUATED,
    )
    commission_tiers = models.JSONField(_("commission tiers"), default=list, blank=True)
    history = HistoricalRecords()

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="contract_end_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(plan=Plan.SHIFT) & Q(shift__isnull=False))
                | (~Q(plan=Plan.SHIFT) & Q(shift__isnull=True)),
                name="contract_shift_only_for_shift_plan",
            ),
            models.CheckConstraint(
                condition=~Q(plan__in=Plan.day_plans()) | Q(end_date__isnull=False),
                name="contract_day_plan_has_end",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="contract_price_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.shop} · {self.get_plan_display()} · {self.start_date}"

    @property
    def has_commission(self) -> bool:
        return self.plan in Plan.monthly_plans()

    def is_active_on(self, day) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class TurnoverReport(StoredRowMixin, TimeStampedModel):
    """A shop's turnover (营业额) for one month; only a confirmed figure is billed."""

    Status = TurnoverStatus

    shop = models.ForeignKey(
        Shop, verbose_name=_("shop"), on_delete=models.PROTECT, related_name="turnover_reports"
    )
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "shop_id"]
        verbose_name = _("turnover report")
        verbose_name_plural = _("turnover reports")
        constraints = [
            models.UniqueConstraint(fields=["shop", "month"], name="turnover_one_per_shop_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="turnover_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.shop} {self.month:%Y-%m}: {self.amount}"

    def save(self, *args, **kwargs) -> None:
        # A confirmed figure is billed: it changes only through the correction service
        # (``shops.immutability``), on every database; PostgreSQL's trigger stops other paths.
        written = self._written(kwargs.get("update_fields"))
        if written is not None:
            stored, current, names = written
            confirmed_turnover_change_check(stored=stored, current=current, fields=names)
        super().save(*args, **kwargs)
        self._remember_stored(kwargs.get("update_fields"))

    def delete(self, *args, **kwargs):
        stored = getattr(self, "_stored", None) or {"status": self.status}
        confirmed_turnover_delete_check(stored=stored)
        return super().delete(*args, **kwargs)


DSR_RATING_FIELDS = (
    "shop",
    "buyer",
    "order_id",
    "rated_at",
    "paid_with_alipay",
    "description",
    "service",
    "logistics",
)
"""A rating as it is recorded, listed and sent through the API."""


class DsrRating(models.Model):
    """One buyer's rating of a shop after a trade. Never changed or deleted once recorded."""

    shop = models.ForeignKey(
        Shop, verbose_name=_("shop"), on_delete=models.PROTECT, related_name="dsr_ratings"
    )
    buyer = models.CharField(_("buyer"), max_length=100)
    order_id = models.CharField(_("order id"), max_length=100)
    rated_at = models.DateTimeField(_("rated at"))
    paid_with_alipay = models.BooleanField(_("paid with Alipay"), default=True)
    description = models.PositiveSmallIntegerField(
        _("description match"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    service = models.PositiveSmallIntegerField(
        _("service attitude"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    logistics = models.PositiveSmallIntegerField(
        _("logistics"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-rated_at", "-id"]
        verbose_name = _("DSR rating")
        verbose_name_plural = _("DSR ratings")
        indexes = [models.Index(fields=["shop", "rated_at"], name="dsr_shop_rated_idx")]
        constraints = [
            models.UniqueConstraint(fields=["shop", "order_id"], name="dsr_one_per_order"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__gte": 1, f"{field}__lte": 5}),
                    name=f"dsr_{field}_1_to_5",
                )
                for field in ("description", "service", "logistics")
            ],
        ]

    def __str__(self) -> str:
        return f"{self.shop} · {self.buyer} · {self.order_id}"
