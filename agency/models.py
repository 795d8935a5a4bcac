from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in: an agency manager (``is_staff``) or a shop owner.

    A shop owner is any user named as the ``owner`` of a shop; the role is a fact about the data,
    not a flag, so it cannot drift from it.
    """

    # The language they last chose with the site's switch; the emails they get are written in
    # it (empty: not chosen yet, settings.NEW_ACCOUNT_LANGUAGE).
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        help_text=_(
            "Emails to this user are written in this language; empty means the language of new "
            "accounts (Simplified Chinese unless the agency set another)."
        ),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_manager(self) -> bool:
        return self.is_active and self.is_staff

    @property
    def email_language(self) -> str:
        """The language of this user's emails: their choice, else the one new accounts get."""
        return self.language or settings.NEW_ACCOUNT_LANGUAGE


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Heartbeat(models.Model):
    """The last time a background process proved it was alive (the worker, via beat)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    seen_at = models.DateTimeField(_("seen at"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
