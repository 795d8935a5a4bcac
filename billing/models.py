from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agency import clock
from agency.models import TimeStampedModel
from billing.choices import (
    BillingRunStatus,
    FapiaoRequestStatus,
    FapiaoType,
    InvoiceLineKind,
    InvoiceStatus,
)

BILLING_RUN_FIELDS = (
    "month",
    "status",
    "invoices_created",
    "invoices_updated",
    "error",
    "requested_by",
    "created_at",
    "started_at",
    "finished_at",
)
"""What a billing run shows, in the admin and the API (all read-only)."""


class BillingRun(TimeStampedModel):
    Status = BillingRunStatus

    month = models.DateField(_("month"), help_text=_("First day of the billed month."))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    invoices_created = models.PositiveIntegerField(_("invoices created"), default=0)
    invoices_updated = models.PositiveIntegerField(_("invoices updated"), default=0)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} ({self.status})"


class InvoiceQuerySet(models.QuerySet):
    def live(self) -> "InvoiceQuerySet":
        """Invoices that count: drafts, issued and paid ones. A void invoice was replaced (or
        is waiting to be) and counts for nothing; at most one live invoice per shop and month."""
        return self.exclude(status=Invoice.Status.VOID)

    def final(self) -> "InvoiceQuerySet":
        """Issued and paid invoices: the owner has seen them and their figures never change."""
        return self.filter(status__in=[Invoice.Status.ISSUED, Invoice.Status.PAID])


class Invoice(TimeStampedModel):
    """One shop's bill for one month (账单). Drafts are recomputed; issued invoices never change."""

    Status = InvoiceStatus

    shop = models.ForeignKey(
        "shops.Shop", verbose_name=_("shop"), on_delete=models.PROTECT, related_name="invoices"
    )
    month = models.DateField(_("month"), help_text=_("First day of the billed month."))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # NULL until issued (not ""): unique among issued numbers (constraint below), and drafts,
    # which have none, stay out of that index, so a run's new drafts cost no entries in it.
    number = models.CharField(_("number"), max_length=20, null=True, blank=True)  # noqa: DJ001
    awaiting_turnover = models.BooleanField(_("awaiting turnover"), default=False)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=Decimal("0"))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    # Why the invoice was voided, in the manager's words: the owner is told and reads it on the
    # invoice. Required by ``invoice_void``; an invoice voided after its issue always has one.
    # A database default too: a billing run inserts its drafts with plain SQL (services/writes).
    void_reason = models.TextField(_("void reason"), blank=True, default="", db_default="")
    # When the owner was emailed about the void of an issued invoice: the email task claims
    # this before it sends, so a task delivered twice mails once. Not part of the history.
    void_notice_sent_at = models.DateTimeField(_("void notice sent at"), null=True, blank=True)
    # A digest of the lines and flag a run last wrote: a rerun that computes the same digest
    # leaves the draft and its lines as they are. Not part of the invoice's history.
    figures_hash = models.CharField(_("figures digest"), max_length=32, blank=True, default="")
    # The history is read per invoice (by ``id``); indexes on its copies of ``number`` and
    # ``shop`` would only slow every run's inserts.
    history = HistoricalRecords(
        excluded_fields=["figures_hash", "void_notice_sent_at"], no_db_index=["number", "shop"]
    )

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "shop_id", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                condition=Q(number__isnull=False),
                name="invoice_number_unique",
            ),
            # One live invoice per shop and month: reruns and retries update, never duplicate.
            # (``InvoiceQuerySet.live`` spelled as a literal: the condition is migration state.)
            models.UniqueConstraint(
                fields=["shop", "month"],
                condition=~Q(status="void"),
                name="invoice_one_live_per_shop_month",
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | ~Q(status="draft"),
                name="invoice_draft_has_no_number",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["issued", "paid"]) | Q(awaiting_turnover=False),
                name="invoice_issued_not_awaiting_turnover",
            ),
            # The owner saw an issued invoice: its void must say why (a draft's need not).
            models.CheckConstraint(
                condition=~Q(status="void") | Q(issued_at__isnull=True) | ~Q(void_reason=""),
                name="invoice_issued_void_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["month", "status"], name="invoice_month_status_idx")]

    def __str__(self) -> str:
        return self.number or f"{self.shop} {self.month:%Y-%m} ({self.status})"

    @property
    def month_in_progress(self) -> bool:
        """The billed month has not ended (Shanghai): the invoice is a preview, not final."""
        return not clock.month_has_ended(self.month)


class InvoiceLineQuerySet(models.QuerySet):
    def of_live_invoices(self) -> "InvoiceLineQuerySet":
        """Lines of live invoices (``InvoiceQuerySet.live``): the lines that count."""
        return self.exclude(invoice__status=Invoice.Status.VOID)


class InvoiceLine(models.Model):
    Kind = InvoiceLineKind

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    contract = models.ForeignKey(
        "shops.Contract", on_delete=models.PROTECT, related_name="invoice_lines"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=500)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    # How the amount was reached (days, proration, tier slices), for the PDF and the portal.
    details = models.JSONField(_("details"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = InvoiceLineQuerySet.as_manager()

    class Meta:
        ordering = ["invoice_id", "position", "id"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self) -> str:
        return self.description


class InvoiceSequence(models.Model):
    """The last invoice number given in a year; locked row by row so numbers stay gapless."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice number sequence")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class FapiaoRequestQuerySet(models.QuerySet):
    def live(self) -> "FapiaoRequestQuerySet":
        """Requests that still count: waiting (requested) or done (issued); cancelled ones not."""
        return self.exclude(status=FapiaoRequest.Status.CANCELLED)


class FapiaoRequest(TimeStampedModel):
    """An owner's request for a fapiao (发票) of an issued or paid invoice, and the fapiao the
    agency then issued (its number and date, recorded by a manager). Only the record: nothing
    here talks to the tax system."""

    Status = FapiaoRequestStatus
    Type = FapiaoType

    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="fapiao_requests",
    )
    type = models.CharField(_("fapiao type"), max_length=10, choices=Type.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    buyer_name = models.CharField(_("buyer name"), max_length=200)
    tax_id = models.CharField(_("unified social credit code"), max_length=18)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    email = models.EmailField(_("delivery email"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    fapiao_number = models.CharField(_("fapiao number"), max_length=20, blank=True)
    fapiao_date = models.DateField(_("fapiao date"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    cancel_reason = models.TextField(_("cancel reason"), blank=True, default="")
    history = HistoricalRecords()

    objects = FapiaoRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("fapiao request")
        verbose_name_plural = _("fapiao requests")
        constraints = [
            # One live request per invoice (``FapiaoRequestQuerySet.live`` as a literal).
            models.UniqueConstraint(
                fields=["invoice"],
                condition=~Q(status="cancelled"),
                name="fapiao_request_one_live_per_invoice",
            ),
            models.CheckConstraint(
                condition=~Q(status="issued") | ~Q(fapiao_number=""),
                name="fapiao_request_issued_has_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice} {self.get_type_display()} ({self.status})"
