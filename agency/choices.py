"""Vocabulary shared across apps: one name per concept in code, API, UI and docs."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Shift(models.TextChoices):
    """A seat's two shifts; day hands over to night at 17:00."""

    DAY = "day", _("Day (09:00-17:00)")
    NIGHT = "night", _("Night (17:00-24:00)")


class Plan(models.TextChoices):
    TEMPORARY = "temporary", _("Temporary (per day)")
    PROMOTION = "promotion", _("Promotion (per event day)")
    SHIFT = "shift", _("Long-term, one shift (monthly)")
    FULL_DAY = "full_day", _("Long-term, full day (monthly)")

    @classmethod
    def day_plans(cls) -> tuple[str, ...]:
        return (cls.TEMPORARY, cls.PROMOTION)

    @classmethod
    def monthly_plans(cls) -> tuple[str, ...]:
        return (cls.SHIFT, cls.FULL_DAY)


class CommissionMode(models.TextChoices):
    GRADUATED = "graduated", _("Graduated (each slice at its rate)")
    FLAT = "flat", _("Flat (whole turnover at one rate)")
