"""Choices of the billing app: run and invoice statuses, kinds of invoice line (the models and the
interfaces share them; the interfaces read them without importing the models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BillingRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    PAID = "paid", _("Paid")
    VOID = "void", _("Void")


class InvoiceLineKind(models.TextChoices):
    DAY_RATE = "day_rate", _("Service days")
    BASE_FEE = "base_fee", _("Base fee")
    COMMISSION = "commission", _("Commission")
