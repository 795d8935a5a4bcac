"""Vocabulary shared across apps: one name per concept in code, API, UI and docs."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class Shift(models.TextChoices):
    """A seat's two shifts; day hands over to night at 17:00 (hours: ``SHIFT_HOURS``)."""

    # The labels repeat the hours because translations are keyed by the full text;
    # tests/agency/test_foundation.py checks that they agree with SHIFT_HOURS.
    DAY = "day", _("Day (09:00-17:00)")
    NIGHT = "night", _("Night (17:00-24:00)")


SHIFT_HOURS: dict[str, tuple[int, int]] = {Shift.DAY: (9, 17), Shift.NIGHT: (17, 24)}
"""Each shift's local hours, from its start to its end: day 09-17, night 17-24 (DOMAIN.md)."""

FULL_DAY_HOURS: tuple[int, int] = (SHIFT_HOURS[Shift.DAY][0], SHIFT_HOURS[Shift.NIGHT][1])
"""Both shifts, 09-24: what a seat covers, and a contract without a shift."""


def _hours(shift: str | None) -> tuple[int, int]:
    return FULL_DAY_HOURS if shift is None else SHIFT_HOURS[shift]


def shift_start(shift: str) -> dt.time:
    """When ``shift`` begins, local time: day 09:00, night 17:00 (the handover)."""
    return dt.time(SHIFT_HOURS[shift][0])


def shift_length(shift: str | None) -> int:
    """How many hours ``shift`` lasts (day 8, night 7); ``None``, both shifts: 15."""
    start, end = _hours(shift)
    return end - start


def hours_text(shift: str | None) -> str:
    """``shift``'s hours as written on every page: "09:00-17:00"; ``None``: "09:00-24:00"."""
    start, end = _hours(shift)
    return f"{start:02d}:00-{end:02d}:00"


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
