import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agency import clock
from agency.models import TimeStampedModel
from agency.stored import StoredRowMixin
from billing.choices import (
    BankLineStatus,
    BankMatch,
    BillingRunStatus,
    CreditEntryKind,
    FapiaoRequestStatus,
    FapiaoType,
    InvoiceLineKind,
    InvoiceStatus,
    PaymentMethod,
    ReminderKind,
)
from billing.immutability import (
    invoice_change_check,
    invoice_delete_check,
    invoice_lines_check,
    ledger_change_check,
    ledger_delete_check,
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


def payment_terms_of(shop) -> int:
    """Days from an invoice's issue to its due date for ``shop``: its own terms, else the
    agency's default (``settings.AGENCY_PAYMENTS["TERMS_DAYS"]``)."""
    if shop.payment_terms_days is not None:
        return shop.payment_terms_days
    return settings.AGENCY_PAYMENTS["TERMS_DAYS"]


def due_date_for(shop, issued_on: dt.date) -> dt.date:
    """The due date of an invoice of ``shop`` issued on ``issued_on`` (a Shanghai date)."""
    return issued_on + dt.timedelta(days=payment_terms_of(shop))


class InvoiceQuerySet(models.QuerySet):
    def live(self) -> "InvoiceQuerySet":
        """Invoices that count: drafts, issued and paid ones. A void invoice was replaced (or
        is waiting to be) and counts for nothing; at most one live invoice per shop and month."""
        return self.exclude(status=Invoice.Status.VOID)

    def final(self) -> "InvoiceQuerySet":
        """Issued and paid invoices: the owner has seen them and their figures never change."""
        return self.filter(status__in=[Invoice.Status.ISSUED, Invoice.Status.PAID])


class Invoice(StoredRowMixin, TimeStampedModel):
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
    # Set at issue: the Shanghai date of issue plus the shop's payment terms.
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # What settles the invoice, kept under the invoice's row lock by the payment and credit-note
    # services: payments applied to it (credit balance used included) and its credit notes'
    # total. The balance is what is left of the total (``Invoice.balance``). Database defaults
    # too: a billing run inserts its drafts with plain SQL (services/writes).
    amount_paid = models.DecimalField(
        _("amount paid"), max_digits=14, decimal_places=2, default=Decimal("0"), db_default=0
    )
    amount_credited = models.DecimalField(
        _("amount credited"), max_digits=14, decimal_places=2, default=Decimal("0"), db_default=0
    )
    # When ``invoice.overdue`` was published for it (once, by the daily reminder job).
    overdue_published_at = models.DateTimeField(_("overdue published at"), null=True, blank=True)
    # When the owner was emailed about the void of an issued invoice: the email task claims
    # this before it sends, so a task delivered twice mails once. Not part of the history.
    void_notice_sent_at = models.DateTimeField(_("void notice sent at"), null=True, blank=True)
    # A digest of the lines and flag a run last wrote: a rerun that computes the same digest
    # leaves the draft and its lines as they are. Not part of the invoice's history.
    figures_hash = models.CharField(_("figures digest"), max_length=32, blank=True, default="")
    # The history is read per invoice (by ``id``); indexes on its copies of ``number`` and
    # ``shop`` would only slow every run's inserts.
    history = HistoricalRecords(
        excluded_fields=["figures_hash", "void_notice_sent_at", "overdue_published_at"],
        no_db_index=["number", "shop"],
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
            models.CheckConstraint(
                condition=~Q(status__in=["issued", "paid"]) | Q(due_date__isnull=False),
                name="invoice_issued_has_due_date",
            ),
            # Nothing is paid or credited beyond the total (an excess is the shop's credit).
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0) & Q(amount_paid__lte=F("total")),
                name="invoice_amount_paid_within_total",
            ),
            models.CheckConstraint(
                condition=Q(amount_credited__gte=0) & Q(amount_credited__lte=F("total")),
                name="invoice_amount_credited_within_total",
            ),
            # Only issued and paid invoices are paid or credited.
            models.CheckConstraint(
                condition=Q(status__in=["issued", "paid"])
                | (Q(amount_paid=0) & Q(amount_credited=0)),
                name="invoice_settled_only_when_final",
            ),
        ]
        indexes = [models.Index(fields=["month", "status"], name="invoice_month_status_idx")]

    def __str__(self) -> str:
        return self.number or f"{self.shop} {self.month:%Y-%m} ({self.status})"

    def save(self, *args, **kwargs) -> None:
        # An issued, paid or void invoice never changes but along its life: refused here for
        # every database (SQLite has no trigger), by the trigger too on PostgreSQL.
        written = self._written(kwargs.get("update_fields"))
        if written is not None:
            stored, current, names = written
            invoice_change_check(stored=stored, current=current, fields=names)
        self._save_with_due_date(*args, **kwargs)
        self._remember_stored(kwargs.get("update_fields"))

    def delete(self, *args, **kwargs):
        invoice_delete_check(stored=getattr(self, "_stored", None) or {"status": self.status})
        return super().delete(*args, **kwargs)

    def _save_with_due_date(self, *args, **kwargs) -> None:
        # An issued invoice always has a due date (a database check): one saved as issued
        # without it (data loaded or made by hand) is due its shop's terms after its issue.
        if self.status in (Invoice.Status.ISSUED, Invoice.Status.PAID) and self.due_date is None:
            issued_on = timezone.localdate(self.issued_at) if self.issued_at else clock.today()
            self.due_date = due_date_for(self.shop, issued_on)
            if "update_fields" in kwargs and kwargs["update_fields"] is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "due_date"}
        super().save(*args, **kwargs)

    @property
    def month_in_progress(self) -> bool:
        """The billed month has not ended (Shanghai): the invoice is a preview, not final."""
        return not clock.month_has_ended(self.month)

    @property
    def balance(self) -> Decimal:
        """What is left to pay (``invoice_balance``)."""
        return invoice_balance(
            status=self.status,
            total=self.total,
            amount_paid=self.amount_paid,
            amount_credited=self.amount_credited,
        )

    @property
    def creditable(self) -> Decimal:
        """What credit notes may still take off: the total less the credit notes so far."""
        if self.status not in (Invoice.Status.ISSUED, Invoice.Status.PAID):
            return Decimal("0.00")
        return self.total - self.amount_credited

    def is_overdue(self, today=None) -> bool:
        """Issued, not settled and past its due date (``invoice_is_overdue``)."""
        return invoice_is_overdue(
            status=self.status, due_date=self.due_date, balance=self.balance, today=today
        )


def invoice_balance(
    *, status: str, total: Decimal, amount_paid: Decimal, amount_credited: Decimal
) -> Decimal:
    """What is left to pay of an invoice: the total less payments and credit notes, never below
    0 (a credit note on a paid invoice becomes the shop's credit instead). Also for invoices
    read as rows (``billing.apis``)."""
    if status != InvoiceStatus.ISSUED:  # a paid invoice is settled by definition
        return Decimal("0.00")
    return max(total - amount_paid - amount_credited, Decimal("0.00"))


def invoice_is_overdue(
    *, status: str, due_date: dt.date | None, balance: Decimal, today: dt.date | None = None
) -> bool:
    """Issued, not settled and past its due date (Shanghai)."""
    return (
        status == InvoiceStatus.ISSUED
        and due_date is not None
        and balance > 0
        and due_date < (today or clock.today())
    )


class InvoiceLineQuerySet(models.QuerySet):
    def of_live_invoices(self) -> "InvoiceLineQuerySet":
        """Lines of live invoices (``InvoiceQuerySet.live``): the lines that count."""
        return self.exclude(invoice__status=Invoice.Status.VOID)


class InvoiceLine(models.Model):
    Kind = InvoiceLineKind

    # Indexed in ``Meta.indexes``, with the columns the revenue reports add up.
    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", db_index=False
    )
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
        # An invoice's lines, and a month's revenue by plan (``billing.selectors``) read from
        # the index alone: one probe an invoice of the month, not a scan of every line ever.
        indexes = [
            models.Index(
                fields=["invoice"],
                include=["contract", "amount"],
                name="invoice_line_invoice_covering",
            )
        ]

    def __str__(self) -> str:
        return self.description

    def save(self, *args, **kwargs) -> None:
        # The lines of an issued, paid or void invoice never change (``billing.immutability``).
        if not self._state.adding:
            previous = InvoiceLine.objects.filter(pk=self.pk).values_list("invoice_id", flat=True)
            for invoice_id in previous:
                self._check_invoice_is_draft(invoice_id)
        self._check_invoice_is_draft(self.invoice_id)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_invoice_is_draft(self.invoice_id)
        return super().delete(*args, **kwargs)

    def _check_invoice_is_draft(self, invoice_id: int | None) -> None:
        # Asked of the database, not of a cached invoice: the line's invoice as it stands.
        stored = Invoice.objects.filter(pk=invoice_id).values("status", "number", "id").first()
        if stored is not None:
            invoice_lines_check(
                invoice_status=stored["status"],
                invoice_label=stored["number"] or f"#{stored['id']}",
            )


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


class CreditNoteSequence(models.Model):
    """The last credit-note number given in a year (``CN-YYYY-NNNNNN``), gapless like invoices'."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("credit note number sequence")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class LedgerRowMixin(StoredRowMixin):
    """A payment, credit note or credit-balance entry: once stored, never changed (but its
    ``billing.immutability.LEDGER_FREE_FIELDS``) nor deleted, on every database; PostgreSQL's
    triggers refuse the same to raw SQL and queryset updates."""

    ledger_kind: str

    def save(self, *args, **kwargs) -> None:
        written = self._written(kwargs.get("update_fields"))
        if written is not None:
            stored, current, names = written
            ledger_change_check(kind=self.ledger_kind, stored=stored, current=current, fields=names)
        super().save(*args, **kwargs)
        self._remember_stored(kwargs.get("update_fields"))

    def delete(self, *args, **kwargs):
        if self.pk is not None:
            ledger_delete_check(
                kind=self.ledger_kind,
                stored=getattr(self, "_stored", None) or {"id": self.pk},
            )
        return super().delete(*args, **kwargs)


class Payment(LedgerRowMixin, TimeStampedModel):
    """Money received for an invoice (or the shop's credit balance used on it). Never changed
    or deleted: a payment recorded by mistake is answered by a credit note or a refund outside.

    ``amount`` is what was received; ``applied`` the part that settled the invoice, and the rest
    (``amount - applied``, an overpayment) became the shop's credit (a ``CreditEntry``)."""

    Method = PaymentMethod
    ledger_kind = "payment"

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="payments"
    )
    # The invoice's shop, kept on the payment for scoping and statements.
    shop = models.ForeignKey(
        "shops.Shop", verbose_name=_("shop"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    applied = models.DecimalField(_("applied to the invoice"), max_digits=14, decimal_places=2)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    payer = models.CharField(_("payer"), max_length=200, blank=True)
    received_on = models.DateField(_("received on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(applied__gte=0) & Q(applied__lte=F("amount")),
                name="payment_applied_within_amount",
            ),
            models.CheckConstraint(
                condition=~Q(method="credit") | Q(applied=F("amount")),
                name="payment_credit_fully_applied",
            ),
        ]
        indexes = [models.Index(fields=["shop", "received_on"], name="payment_shop_received_idx")]

    def __str__(self) -> str:
        return f"{self.invoice} {self.amount} ({self.method})"

    @property
    def excess(self) -> Decimal:
        return self.amount - self.applied


class CreditNote(LedgerRowMixin, TimeStampedModel):
    """A correction of an issued or paid invoice (红冲): ``amount`` off its total, with a reason.
    ``applied`` is the part that reduced the invoice's balance; the rest became the shop's credit.
    Numbered ``CN-YYYY-NNNNNN``, gapless per year of issue; never changed or deleted."""

    ledger_kind = "credit note"

    number = models.CharField(_("number"), max_length=20, unique=True)
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="credit_notes"
    )
    shop = models.ForeignKey(
        "shops.Shop",
        verbose_name=_("shop"),
        on_delete=models.PROTECT,
        related_name="credit_notes",
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    applied = models.DecimalField(_("applied to the invoice"), max_digits=14, decimal_places=2)
    reason = models.TextField(_("reason"))
    issued_at = models.DateTimeField(_("issued at"))
    # The invoice had an issued fapiao: the agency owes the buyer a red-letter fapiao (红字发票).
    red_letter_fapiao_needed = models.BooleanField(_("red-letter fapiao needed"), default=False)
    # When the owner was emailed the note: the email task claims it before it sends, so a task
    # delivered twice mails once (released when the send fails, for the retry).
    notice_sent_at = models.DateTimeField(_("notice sent at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_note_amount_positive"),
            models.CheckConstraint(
                condition=Q(applied__gte=0) & Q(applied__lte=F("amount")),
                name="credit_note_applied_within_amount",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="credit_note_has_reason"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def excess(self) -> Decimal:
        return self.amount - self.applied


class CreditEntry(LedgerRowMixin, models.Model):
    """One movement of a shop's credit balance (余额): + an overpayment or a credit note's excess,
    - credit used on an invoice. The balance is the sum; it never goes below 0."""

    Kind = CreditEntryKind
    ledger_kind = "credit entry"

    shop = models.ForeignKey(
        "shops.Shop",
        verbose_name=_("shop"),
        on_delete=models.PROTECT,
        related_name="credit_entries",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="credit_entry"
    )
    credit_note = models.OneToOneField(
        CreditNote, on_delete=models.PROTECT, null=True, blank=True, related_name="credit_entry"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["shop_id", "created_at", "id"]
        verbose_name = _("credit entry")
        verbose_name_plural = _("credit entries")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="credit_entry_not_zero"),
            models.CheckConstraint(
                condition=(Q(kind="used") & Q(amount__lt=0) & Q(payment__isnull=False))
                | (Q(kind="overpayment") & Q(amount__gt=0) & Q(payment__isnull=False))
                | (Q(kind="credit_note") & Q(amount__gt=0) & Q(credit_note__isnull=False)),
                name="credit_entry_kind_matches",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.kind} {self.amount}"


class PaymentReminder(models.Model):
    """A reminder (催款) emailed about an invoice: ``days`` from its due date (negative before
    it), once per invoice and day of the schedule."""

    Kind = ReminderKind

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    days = models.SmallIntegerField(_("days from the due date"))
    sent_on = models.DateField(_("sent on"))
    recipient = models.EmailField(_("recipient"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["invoice_id", "days"]
        verbose_name = _("payment reminder")
        verbose_name_plural = _("payment reminders")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "days"], name="payment_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice} {self.days:+d}"


class BankStatement(TimeStampedModel):
    """An imported bank statement (CSV/XLSX of date, payer, amount, memo): its lines wait for a
    manager to confirm the proposed matches."""

    file_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")

    def __str__(self) -> str:
        return self.file_name


class BankStatementLine(models.Model):
    Status = BankLineStatus
    Match = BankMatch

    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("row"))
    received_on = models.DateField(_("date"))
    payer = models.CharField(_("payer"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    memo = models.CharField(_("memo"), max_length=500, blank=True)
    proposed_invoice = models.ForeignKey(
        Invoice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    match = models.CharField(_("match"), max_length=20, choices=Match.choices, default=Match.NONE)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="bank_line"
    )

    class Meta:
        ordering = ["statement_id", "position"]
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "position"], name="bank_line_position_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(payment__isnull=False),
                name="bank_line_confirmed_has_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}:{self.position} {self.amount}"
