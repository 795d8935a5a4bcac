"""Every email is sent by a task that retries while the mail server fails (issue 16, item 4).

Owner emails have their own tasks (``agency.emails.owner_email_send``); alerts to managers and the
webhook owner's notice are queued with ``agency.emails.email_send_later``. Nothing else in the
project talks to the mail server.
"""

import ast
import smtplib
from pathlib import Path
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core import mail

from agency import emails
from agency.tasks import EMAIL_TASK_OPTIONS, send_email

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = ("agency", "shops", "seats", "payroll", "billing", "web", "portal", "desk")


def _modules_importing_django_mail() -> list[str]:
    found = []
    for package in PROJECT_PACKAGES:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            if "settings" in path.parts or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [alias.name for alias in node.names]
                    if isinstance(node, ast.Import)
                    else []
                )
                if any(name.startswith("django.core.mail") for name in names) or (
                    isinstance(node, ast.ImportFrom)
                    and node.module == "django.core"
                    and any(alias.name == "mail" for alias in node.names)
                ):
                    found.append(str(path.relative_to(PROJECT_ROOT)))
    return sorted(set(found))


def test_only_agency_emails_talks_to_the_mail_server():
    assert _modules_importing_django_mail() == ["agency/emails.py"]


def test_the_email_task_retries_on_smtp_failures():
    assert issubclass(smtplib.SMTPException, EMAIL_TASK_OPTIONS["autoretry_for"])
    assert send_email.autoretry_for == EMAIL_TASK_OPTIONS["autoretry_for"]
    assert send_email.max_retries == EMAIL_TASK_OPTIONS["max_retries"]


@pytest.mark.django_db
def test_a_queued_email_leaves_on_commit_and_a_mail_server_failure_asks_for_a_retry(
    django_capture_on_commit_callbacks,
):
    queued = []
    later = mock.patch.object(send_email, "delay", side_effect=lambda **kw: queued.append(kw))
    with later, django_capture_on_commit_callbacks(execute=True):
        emails.email_send_later(subject="Alert", message="Body", recipients=["manager@example.com"])
        assert queued == []  # nothing leaves before the commit
    [kwargs] = queued

    server_down = mock.patch.object(
        emails, "send_mail", side_effect=smtplib.SMTPServerDisconnected("down")
    )
    with server_down, pytest.raises(Retry):  # in a worker: sent again later, with backoff
        send_email.delay(**kwargs)
    assert mail.outbox == []

    send_email.delay(**kwargs)  # the retry, the mail server back

    [sent] = mail.outbox
    assert (sent.subject, sent.to) == ("Alert", ["manager@example.com"])


@pytest.mark.django_db
def test_a_queued_email_subject_naming_a_shop_with_line_breaks_is_one_line(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        emails.email_send_later(
            subject="Fapiao requested: Evil\r\nBcc: x@example.com",
            message="Body",
            recipients=["manager@example.com"],
        )

    [sent] = mail.outbox
    assert "\n" not in sent.subject and "\r" not in sent.subject
    assert sent.subject.startswith("Fapiao requested: Evil")
