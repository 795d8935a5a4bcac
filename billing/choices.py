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
