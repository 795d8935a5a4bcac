"""Payment reminders (催款) and the ``invoice.overdue`` event, sent by the daily job.

The schedule is ``settings.AGENCY_PAYMENTS``: ``REMINDER_DAYS_BEFORE`` (days before the due date,
default 3) and ``REMINDER_DAYS_AFTER`` (days after it, default 1, 7, 15 and 30). Each day of the
schedule is a *stage*, as days from the due date (-3, 1, 7, 15, 30).

* Who: every issued invoice with a balance (status ``issued``, total above payments and credit
  notes). A paid invoice (status ``paid``, or balance 0) gets nothing more; a void one neither.
* Which stage: the latest stage the invoice has reached today, when no reminder of that stage
  or a later one was sent. **Catch-up rule**: a job that missed days (the worker was down, the
  schedule changed) sends only that latest stage, never a burst of the stages it missed: on
  day 9 after a silent week the owner gets the day-7 reminder, not the day-1 one too. A reminder
  before the due date is only sent before the due date (from the due date on, "due in 3 days"
  would be wrong; the day-1 stage follows).
* Once: a reminder is recorded (``PaymentReminder``, unique per invoice and stage) before its
  mail goes out, under the invoice's row lock, after checking it is still unpaid. A send that
  fails deletes the record again, and the job raises once the other invoices are done, so the
  Celery retry sends what failed and only that.
* ``invoice.overdue`` is published once per invoice, the first time the job finds it overdue
  (due date before today): ``Invoice.overdue_published_at`` is claimed in the same transaction
  as the event's deliveries are recorded.

Candidates are chosen by one query (the balance computed by the database, the latest stage sent
annotated); each invoice that gets a mail or an event then costs a few queries of its own.
"""

import datetime as dt
from dataclasses import dataclass

import structlog
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from agency.emails import owner_email_send
from agency.formatting import date_text, money_text
from billing.choices import ReminderKind
from billing.models import Invoice, PaymentReminder
from billing.services.events import invoice_overdue_event

logger = structlog.get_logger(__name__)


def reminder_stages() -> list[int]:
    """The schedule's days from the due date, in order: before it negative, after it positive."""
    payments = settings.AGENCY_PAYMENTS
    before = {-abs(int(days)) for days in payments["REMINDER_DAYS_BEFORE"] if int(days)}
    after = {abs(int(days)) for days in payments["REMINDER_DAYS_AFTER"] if int(days)}
    return sorted(before | after)


def reminder_stage_due(
    *, due_date: dt.date, today: dt.date, last_sent: int | None, stages: list[int]
) -> int | None:
    """The stage to send today for an invoice due ``due_date``, or None.

    The latest stage reached (``today - due_date`` days or fewer), unless that stage or a later
    one was sent already (``last_sent``); a stage before the due date only while it is before
    the due date. Earlier stages that were missed are never sent (the catch-up rule)."""
    offset = (today - due_date).days
    reached = [stage for stage in stages if stage <= offset]
    if not reached:
        return None
    stage = reached[-1]
    if stage < 0 and offset >= 0:
        return None
    if last_sent is not None and last_sent >= stage:
        return None
    return stage


def unpaid_invoices() -> QuerySet[Invoice]:
    """Issued invoices with something left to pay (the balance computed by the database)."""
    return (
        Invoice.objects.filter(status=Invoice.Status.ISSUED, due_date__isnull=False)
        .annotate(open_amount=F("total") - F("amount_paid") - F("amount_credited"))
        .filter(open_amount__gt=0)
    )


@dataclass(frozen=True)
class RemindersSent:
    reminders: int
    overdue_published: int


def payment_reminders_send(*, today: dt.date) -> RemindersSent:
    """Send the reminders due ``today`` (a Shanghai date) and publish ``invoice.overdue`` for
    invoices found overdue for the first time. Safe to run twice: nothing is sent twice.

    Raises the first error of a failed send after every other invoice was handled (its reminder
    is released, so a retry sends it)."""
    stages = reminder_stages()
    earliest = min(stages[0], 1) if stages else 1
    candidates = list(
        unpaid_invoices()
        # Nothing to do yet for invoices before their first stage (and not overdue).
        .filter(due_date__lte=today - dt.timedelta(days=earliest))
        .annotate(last_sent=Max("reminders__days"))
        .select_related("shop__owner")
        .order_by("due_date", "id")
    )
    sent = published = 0
    failure: BaseException | None = None
    for invoice in candidates:
        if invoice.due_date < today and invoice.overdue_published_at is None:
            published += _overdue_publish(invoice_id=invoice.pk)
        stage = reminder_stage_due(
            due_date=invoice.due_date, today=today, last_sent=invoice.last_sent, stages=stages
        )
        if stage is None:
            continue
        try:
            sent += payment_reminder_send(invoice_id=invoice.pk, stage=stage, today=today)
        except Exception as error:  # the others still go out; the retry sends this one
            logger.exception("payment_reminder_not_sent", invoice_id=invoice.pk, stage=stage)
            failure = failure or error
    if failure is not None:
        raise failure
    return RemindersSent(reminders=sent, overdue_published=published)


@transaction.atomic
def _overdue_publish(*, invoice_id: int) -> bool:
    claimed = Invoice.objects.filter(pk=invoice_id, overdue_published_at__isnull=True).update(
        overdue_published_at=timezone.now()
    )
    if claimed:
        invoice_overdue_event(invoice_id)
    return bool(claimed)


def _claim(
    *, invoice_id: int, stage: int, today: dt.date
) -> tuple[Invoice, PaymentReminder] | None:
    """Record the reminder if the invoice is still unpaid and the stage not sent (row lock)."""
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("shop__owner")
            .filter(pk=invoice_id)
            .first()
        )
        if invoice is None or invoice.status != Invoice.Status.ISSUED or invoice.balance <= 0:
            return None
        if invoice.reminders.filter(days__gte=stage).exists():
            return None
        try:
            with transaction.atomic():
                reminder = PaymentReminder.objects.create(
                    invoice=invoice,
                    kind=ReminderKind.BEFORE_DUE if stage < 0 else ReminderKind.OVERDUE,
                    days=stage,
                    sent_on=today,
                    recipient=invoice.shop.invoice_email,
                )
        except IntegrityError:  # another job recorded it first
            return None
    return invoice, reminder


def payment_reminder_send(*, invoice_id: int, stage: int, today: dt.date) -> bool:
    """Email the owner the reminder of ``stage`` (days from the due date) for an unpaid invoice,
    once. Returns whether a mail was sent (not when paid, already sent, or no address)."""
    claimed = _claim(invoice_id=invoice_id, stage=stage, today=today)
    if claimed is None:
        return False
    invoice, reminder = claimed
    if not reminder.recipient:  # recorded, so the job does not look again; nobody to tell
        return False
    try:
        _reminder_email(invoice, today=today)
    except BaseException:
        PaymentReminder.objects.filter(pk=reminder.pk).delete()
        raise
    return True


def payment_details() -> list[tuple[str, str]]:
    """Where owners pay (label, value), as invoices show it: the bank account, Alipay, WeChat.
    Labels are lazy: read them in the reader's language."""
    legal, payments = settings.AGENCY_LEGAL, settings.AGENCY_PAYMENTS
    details = []
    name = legal.get("NAME_ZH") or legal.get("NAME_EN")
    if legal.get("BANK_ACCOUNT"):
        details.append((gettext_lazy("Account name"), name))
        details.append((gettext_lazy("Bank"), legal.get("BANK_NAME", "")))
        details.append((gettext_lazy("Bank account"), legal["BANK_ACCOUNT"]))
    if payments.get("ALIPAY_ACCOUNT"):
        details.append((gettext_lazy("Alipay"), payments["ALIPAY_ACCOUNT"]))
    if payments.get("WECHAT_PAY_ACCOUNT"):
        details.append((gettext_lazy("WeChat Pay"), payments["WECHAT_PAY_ACCOUNT"]))
    return [(label, value) for label, value in details if value]


def _reminder_email(invoice: Invoice, *, today: dt.date) -> None:
    days = (today - invoice.due_date).days
    overdue = days > 0
    subject = (
        gettext_lazy("Overdue: invoice %(number)s, %(shop)s, balance %(balance)s CNY")
        if overdue
        else gettext_lazy("Payment reminder: invoice %(number)s, %(shop)s, due %(due)s")
    )
    owner_email_send(
        owner=invoice.shop.owner,
        subject=subject,
        subject_values={
            "number": invoice.number,
            "shop": invoice.shop.name,
            "balance": money_text(invoice.balance),
            "due": invoice.due_date.isoformat(),
        },
        template="billing/email/payment_reminder.txt",
        recipient=invoice.shop.invoice_email,
        context=lambda: {
            "number": invoice.number,
            "shop": invoice.shop.name,
            "month": f"{invoice.month:%Y-%m}",
            "total": money_text(invoice.total),
            "paid": money_text(invoice.amount_paid + invoice.amount_credited),
            "balance": money_text(invoice.balance),
            "due": date_text(invoice.due_date),
            "overdue": overdue,
            "days_overdue": days,
            "days_left": -days,
            "details": [(str(label), value) for label, value in payment_details()],
        },
    )


__all__ = [
    "RemindersSent",
    "payment_details",
    "payment_reminder_send",
    "payment_reminders_send",
    "reminder_stage_due",
    "reminder_stages",
    "unpaid_invoices",
]
