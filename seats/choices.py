"""Choices of the seats app: agent statuses (the models and the interfaces share them; the
interfaces read them without importing the models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ON_LEAVE = "on_leave", _("On leave")
    LEFT = "left", _("Left")
