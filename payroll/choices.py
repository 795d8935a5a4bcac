"""Choices of the payroll app (the models and the interfaces share them; the interfaces read them
without importing the models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kpi(models.TextChoices):
    """The scored KPIs of an agent's month (绩效考核), in the scorecard's order."""

    INQUIRIES = "inquiries", _("Inquiries per day worked")
    CONVERSION = "conversion", _("Conversion rate")
    ANSWER_RATIO = "answer_ratio", _("Answer ratio")
    FAST_RESPONSES = "fast_responses", _("First responses within 120 s")
    SALES = "sales", _("Attributed sales")
    ATTENDANCE = "attendance", _("Attendance")
    QUALITY = "quality", _("Quality review average")


class Grade(models.TextChoices):
    GOLD = "gold", pgettext_lazy("agent grade", "Gold")
    SILVER = "silver", pgettext_lazy("agent grade", "Silver")
    BRONZE = "bronze", pgettext_lazy("agent grade", "Bronze")
    IMPROVE = "improve", pgettext_lazy("agent grade", "Needs improvement")


class ReviewStatus(models.TextChoices):
    """A quality review's life: final as scored, or appealed by the agent and then decided."""

    SCORED = "scored", pgettext_lazy("review status", "Scored")
    APPEALED = "appealed", pgettext_lazy("review status", "Appealed")
    UPHELD = "upheld", pgettext_lazy("review status", "Upheld on appeal")
    RESCORED = "rescored", pgettext_lazy("review status", "Rescored on appeal")
    WITHDRAWN = "withdrawn", pgettext_lazy("review status", "Withdrawn on appeal")


class PayrollRunStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("payroll run status", "Queued")
    RUNNING = "running", pgettext_lazy("payroll run status", "Running")
    DONE = "done", pgettext_lazy("payroll run status", "Done")
    FAILED = "failed", pgettext_lazy("payroll run status", "Failed")


class PayslipStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("payslip status", "Draft")
    APPROVED = "approved", pgettext_lazy("payslip status", "Approved")
