"""Choices of the shops app: platforms, shop statuses, turnover statuses (the models and the
interfaces share them; the interfaces read them without importing the models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ShopPlatform(models.TextChoices):
    TAOBAO = "taobao", _("Taobao")
    TMALL = "tmall", _("Tmall")
    PINDUODUO = "pinduoduo", _("Pinduoduo")
    JD = "jd", _("JD")
    DOUYIN = "douyin", _("Douyin")
    OTHER = "other", _("Other")


class ShopStatus(models.TextChoices):
    # Said of a client relationship, not of an employee ("Active" of an agent is another word).
    PROSPECT = "prospect", pgettext_lazy("shop status", "Prospect")
    ACTIVE = "active", pgettext_lazy("shop status", "Active")
    PAUSED = "paused", pgettext_lazy("shop status", "Paused")
    ENDED = "ended", pgettext_lazy("shop status", "Ended")


class TurnoverStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    CONFIRMED = "confirmed", _("Confirmed")
