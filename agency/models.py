from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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

    def save(self, *args, **kwargs) -> None:
        # A new password (changed, reset, or set by a manager) or a deactivation ends every API
        # token of the account: whoever held one no longer speaks for it (agency.tokens).
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed or (self.pk is not None and not self.is_active):
            from agency.tokens import tokens_revoke_all

            tokens_revoke_all(user=self)


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


class Webhook(models.Model):
    """An address a REST client gave to be told of events (``agency.webhooks``, docs/webhooks.md).

    A manager's webhook hears the events of every shop; an owner's only those of their shops.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhooks",
        verbose_name=pgettext_lazy("webhook", "owner"),
    )
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    # Signs every body; shown once, in the answer that creates the webhook.
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    active = models.BooleanField(_("active"), default=True)
    # Failed attempts in a row; a delivered one sets it back to zero.
    failure_count = models.PositiveIntegerField(_("failures in a row"), default=0)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one webhook, with the outcome of its last attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    event = models.CharField(_("event"), max_length=50)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    response_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["webhook", "-created_at"], name="webhook_delivery_log")]

    def __str__(self) -> str:
        return f"{self.event} -> {self.webhook_id} ({self.status})"


class IdempotencyKey(models.Model):
    """A money-changing POST sent with an ``Idempotency-Key`` header, and the answer it got.

    The same user sending the same key again within ``agency.idempotency.KEY_LIFETIME`` gets
    this answer back instead of a second action (``agency.idempotency``, docs/security.md).
    Only requests that succeeded (2xx) are kept: a refused request changed nothing, so its key
    stays free. Rows past their lifetime are ignored and pruned by beat.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="idempotency_keys",
        verbose_name=_("user"),
    )
    key = models.CharField(_("key"), max_length=255)
    method = models.CharField(_("HTTP method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    # sha256 of method, path and the canonical body: the same key with another request is 422.
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    # Empty only inside the transaction of the key's first request, which nobody else sees.
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)
    response_body = models.JSONField(_("response body"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} {self.method} {self.path} -> {self.response_status}"
