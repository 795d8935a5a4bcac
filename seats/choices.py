"""Choices of the seats app: agent statuses (the models and the interfaces share them; the
interfaces read them without importing the models)."""

from django.db import models
from django.utils.translation import pgettext_lazy


class AgentStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("agent status", "Active")
    ON_LEAVE = "on_leave", pgettext_lazy("agent status", "On leave")
    LEFT = "left", pgettext_lazy("agent status", "Left")
