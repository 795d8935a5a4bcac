"""Emails to shop owners, written in the language the owner chose (``User.email_language``).

Every owner email (invoice issued, invoice voided, turnover corrected) goes through
``owner_email_send``: the subject and the body are rendered inside the owner's language, the
subject starts with the agency's brand in that language ("[Agency] …", "【客服外包公司】…"), and an
owner without an address gets none. Invoice emails go to the shop's billing email when it has
one (``recipient``). Callers send from Celery tasks after their transaction has
committed, and the tasks retry while the mail server fails (``agency.tasks.EMAIL_TASK_OPTIONS``).

Other emails (alerts to managers, a webhook's owner told it was disabled) are written by their
service and queued with ``email_send_later``: sent by the ``agency.tasks.send_email`` task once the
transaction commits, retried the same way, so a mail server that is down never loses an alert
that its service has already marked as sent, nor turns a saved request into an error.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from agency.branding import branded_subject, one_line
from agency.models import User


def owner_email_send(
    *,
    owner: User,
    subject: str,
    subject_values: Mapping[str, Any],
    template: str,
    context: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    recipient: str | None = None,
) -> bool:
    """Render ``template`` and ``subject`` (a lazily translated text with ``%(name)s`` fields)
    in the owner's language and send them to ``recipient`` (default: the owner's address).
    ``context`` may be a callable, evaluated in that language (for labels translated on
    reading). Returns whether a mail was sent."""
    address = recipient or owner.email
    if not address:
        return False
    with translation.override(owner.email_language):
        subject_text = branded_subject(str(subject) % dict(subject_values))
        values = context() if callable(context) else context
        message = render_to_string(
            template, {"owner_name": owner.get_full_name() or owner.username, **values}
        )
    send_mail(
        subject=subject_text,
        message=message,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[address],
    )
    return True


def email_send_later(*, subject: str, message: str, recipients: list[str]) -> None:
    """Queue a written email to ``recipients`` (``agency.tasks.send_email``, retried while the
    mail server fails); it leaves when the current transaction commits, or at once outside one."""
    from agency.tasks import send_email

    if not recipients:
        return
    values = {"subject": one_line(subject), "message": message, "recipients": list(recipients)}
    transaction.on_commit(lambda: send_email.delay(**values))


def email_send_now(*, subject: str, message: str, recipients: list[str]) -> None:
    """Send a written email (from ``agency.tasks.send_email``): its subject on one line, so that
    a name typed with line breaks never makes it fail."""
    send_mail(
        subject=one_line(subject),
        message=message,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
