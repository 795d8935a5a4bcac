"""Choices of the shops app: platforms, shop statuses, turnover statuses (the models and the
interfaces share them; the interfaces read them without importing the models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ShopPlatform(models.TextChoices):
    TAOBAO = "taobao", _("Taobao")
    TMALL = "tmall", _("Tmall")
    PINDUODUO = "pinduoduo", _("Pinduoduo")
    JD = "jd", _("JD")
    DOUYIN = "douyin", _("Douyin")
    OTHER = "other", _("Other")


class ShopStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class TurnoverStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    CONFIRMED = "confirmed", _("Confirmed")
