"""Choices of the seats app: agent statuses (the models and the interfaces share them; the
interfaces read them without importing the models)."""

from django.db import models
from django.utils.translation import pgettext_lazy


class AgentStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("agent status", "Active")
    ON_LEAVE = "on_leave", pgettext_lazy("agent status", "On leave")
    LEFT = "left", pgettext_lazy("agent status", "Left")


class LeaveStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("leave status", "Requested")
    APPROVED = "approved", pgettext_lazy("leave status", "Approved")
    REJECTED = "rejected", pgettext_lazy("leave status", "Rejected")
    CANCELLED = "cancelled", pgettext_lazy("leave status", "Cancelled")


class RosterKind(models.TextChoices):
    """How an agent came to work a seat-shift on a date: their own assignment, or a cover."""

    REGULAR = "regular", pgettext_lazy("roster kind", "Regular")
    COVER = "cover", pgettext_lazy("roster kind", "Cover")
