"""Choices of the billing app: run and invoice statuses, kinds of invoice line (the models and the
interfaces share them; the interfaces read them without importing the models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BillingRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class InvoiceStatus(models.TextChoices):
    # States, not actions: "Void" the button is a verb (作废), "Void" the status a state (已作废).
    DRAFT = "draft", pgettext_lazy("invoice status", "Draft")
    ISSUED = "issued", pgettext_lazy("invoice status", "Issued")
    PAID = "paid", pgettext_lazy("invoice status", "Paid")
    VOID = "void", pgettext_lazy("invoice status", "Void")


class InvoiceLineKind(models.TextChoices):
    DAY_RATE = "day_rate", _("Service days")
    BASE_FEE = "base_fee", _("Base fee")
    COMMISSION = "commission", _("Commission")


class FapiaoType(models.TextChoices):
    GENERAL = "general", _("General fapiao (普票)")
    SPECIAL = "special", _("Special VAT fapiao (专票)")


class FapiaoRequestStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("fapiao status", "Requested")
    ISSUED = "issued", pgettext_lazy("fapiao status", "Issued")
    CANCELLED = "cancelled", pgettext_lazy("fapiao status", "Cancelled")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer (对公转账)")
    ALIPAY = "alipay", _("Alipay")
    WECHAT = "wechat", _("WeChat Pay")
    CASH = "cash", _("Cash")
    OTHER = "other", pgettext_lazy("payment method", "Other")
    # Not money received: the shop's credit balance (an overpayment or a credit note's excess)
    # used to settle an invoice. Recorded by the app, never chosen by a user.
    CREDIT = "credit", _("Credit balance")


RECEIVED_PAYMENT_METHODS = [
    (value, label) for value, label in PaymentMethod.choices if value != PaymentMethod.CREDIT
]
"""The methods a manager records money with (``credit`` is the app's own)."""


class CreditEntryKind(models.TextChoices):
    OVERPAYMENT = "overpayment", _("Overpayment")
    CREDIT_NOTE = "credit_note", _("Credit note")
    USED = "used", _("Used on an invoice")


class ReminderKind(models.TextChoices):
    BEFORE_DUE = "before_due", _("Before the due date")
    OVERDUE = "overdue", _("Overdue")


class BankLineStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("bank statement line", "To confirm")
    CONFIRMED = "confirmed", pgettext_lazy("bank statement line", "Confirmed")
    IGNORED = "ignored", pgettext_lazy("bank statement line", "Ignored")


class BankMatch(models.TextChoices):
    NUMBER = "number", _("Invoice number in the memo")
    PAYER_AMOUNT = "payer_amount", _("Payer and amount")
    NONE = "none", _("No match")
