"""Quality reviews (质检) and their appeals (申诉), and the review sheet's items.

Rules, each in one function below:
- a manager reviews one sampled conversation of an agent in a shop (``review_create``): the chat
  is dated today or earlier, within the agent's employment, in a shop the agent served that date
  (by the roster, or a workload record of that agent, shop and date); every active weighted item
  gets 0..its points, fatal items are breached or not; the score is
  ``payroll.calculations.review_score``;
- the reviewed agent (their own account, nobody else) may appeal once, with a reason, within
  ``APPEAL_DAYS`` days of the review (``review_appeal``);
- a manager decides an appealed review (``review_decide``): upheld (stands as it is), rescored
  (new marks replace the old ones and the score is computed again) or withdrawn (no longer
  counts for the month's quality average);
- managers edit the sheet (``qa_item_create`` / ``qa_item_update``): built-in items keep their
  code and their translated name, an item stays weighted or fatal as created. A sheet whose
  active weighted items do not add up to 100 is allowed (scores are points given over points
  possible, so they stay 0-100) and answered with a warning (``qa_sheet_warning``).

The agent is emailed when reviewed and when their appeal is decided, after the commit.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from agency import clock
from agency.access import agent_id_of, require_manager
from agency.emails import owner_email_send
from agency.errors import NotPermitted, StateConflict
from agency.formatting import date_text, moment_text
from agency.models import User
from agency.services import model_update, record_actor
from payroll.calculations import review_score
from payroll.choices import ReviewStatus
from payroll.models import QaItem, QualityReview, ReviewMark
from seats.models import Agent, WorkloadRecord
from seats.roster import shop_ids_served_by

DECISIONS = (ReviewStatus.UPHELD, ReviewStatus.RESCORED, ReviewStatus.WITHDRAWN)
REFERENCE_MAX = QualityReview._meta.get_field("chat_reference").max_length
SHEET_TOTAL = 100

REVIEWED, DECIDED = "reviewed", "decided"


# --- Checks -------------------------------------------------------------------------------------


def review_date_errors(*, agent: Agent, chat_date: date) -> list[str]:
    """The chat is dated today or earlier, on or after the hire date, on or before the last
    working day."""
    if chat_date > clock.today():
        return [gettext("The conversation cannot be dated in the future.")]
    if chat_date < agent.hired_on:
        return [
            gettext("%(agent)s was hired on %(date)s; the conversation is dated before that.")
            % {"agent": agent.name, "date": date_text(agent.hired_on)}
        ]
    if agent.left_on is not None and chat_date > agent.left_on:
        return [
            gettext("%(agent)s left on %(date)s; the conversation is dated after that.")
            % {"agent": agent.name, "date": date_text(agent.left_on)}
        ]
    return []


def agent_served_shop(*, agent_id: int, shop_id: int, day: date) -> bool:
    """Whether the agent served the shop that date: by the roster (their seat-shift or a cover),
    or by a workload record of that agent, shop and date (a shift worked off the roster)."""
    if shop_id in shop_ids_served_by(agent_id=agent_id, day=day):
        return True
    return WorkloadRecord.objects.filter(agent_id=agent_id, shop_id=shop_id, date=day).exists()


def _active_items() -> list[QaItem]:
    return list(QaItem.objects.filter(active=True))


def marks_check(
    *, marks: Mapping[int, int], breached: Iterable[int], items: list[QaItem]
) -> tuple[list[tuple[QaItem, int, bool]], dict[str, list[str]]]:
    """Check the points given against the active sheet ``items``.

    Returns the marks to store, (item, points, breached) per active item, and the errors by field
    (``marks``, ``breached``): every active weighted item needs 0..its points, an id that is not
    an active item of the right kind is refused by name.
    """
    by_id = {item.pk: item for item in items}
    breached_ids = set(breached)
    errors: dict[str, list[str]] = {}
    for item_id in sorted(set(marks) - {pk for pk, item in by_id.items() if not item.fatal}):
        errors.setdefault("marks", []).append(
            gettext("Item %(id)s is not a weighted item in use on the sheet.") % {"id": item_id}
        )
    for item_id in sorted(breached_ids - {pk for pk, item in by_id.items() if item.fatal}):
        errors.setdefault("breached", []).append(
            gettext("Item %(id)s is not a fatal item in use on the sheet.") % {"id": item_id}
        )
    rows = []
    for item in items:
        if item.fatal:
            rows.append((item, 0, item.pk in breached_ids))
            continue
        points = marks.get(item.pk)
        if points is None:
            errors.setdefault("marks", []).append(
                gettext("Give points for “%(item)s”.") % {"item": item.label}
            )
            continue
        if not 0 <= points <= item.weight:
            errors.setdefault("marks", []).append(
                gettext("“%(item)s” takes 0 to %(most)s points; %(points)s given.")
                % {"item": item.label, "most": item.weight, "points": points}
            )
            continue
        rows.append((item, points, False))
    return rows, errors


def _score_of(rows: list[tuple[QaItem, int, bool]]):
    return review_score([(points, item.weight, item.fatal, hit) for item, points, hit in rows])


def _store_marks(review: QualityReview, rows: list[tuple[QaItem, int, bool]]) -> None:
    ReviewMark.objects.bulk_create(
        ReviewMark(review=review, item=item, points=points, breached=hit)
        for item, points, hit in rows
    )


def _lock(review: QualityReview) -> QualityReview:
    """The review, read again under a row lock (PostgreSQL): two decisions never cross."""
    return QualityReview.objects.select_for_update().get(pk=review.pk)


def _queue_email(review_id: int, kind: str) -> None:
    from payroll.tasks import send_review_email

    send_review_email.delay(review_id, kind)


# --- Reviews ------------------------------------------------------------------------------------


@transaction.atomic
def review_create(
    *,
    agent: Agent,
    shop: Any,
    chat_date: date,
    chat_reference: str,
    marks: Mapping[int, int],
    breached: Iterable[int] = (),
    comment: str = "",
    actor: User | None = None,
) -> QualityReview:
    """Score one sampled conversation of ``agent`` in ``shop`` (managers)."""
    require_manager(actor)
    errors: dict[str, list[str]] = {}
    reference = (chat_reference or "").strip()
    if not reference:
        errors["chat_reference"] = [
            gettext("Give the conversation's id or link, so that the agent can find it.")
        ]
    elif len(reference) > REFERENCE_MAX:
        errors["chat_reference"] = [
            gettext("At most %(limit)s characters.") % {"limit": REFERENCE_MAX}
        ]
    date_errors = review_date_errors(agent=agent, chat_date=chat_date)
    if date_errors:
        errors["chat_date"] = date_errors
    elif not agent_served_shop(agent_id=agent.pk, shop_id=shop.pk, day=chat_date):
        errors["shop"] = [
            gettext(
                "%(agent)s did not serve %(shop)s on %(date)s: neither the roster nor a workload "
                "record puts them there."
            )
            % {"agent": agent.name, "shop": shop.name, "date": date_text(chat_date)}
        ]
    rows, mark_errors = marks_check(marks=marks, breached=breached, items=_active_items())
    errors.update(mark_errors)
    if errors:
        raise ValidationError(errors)
    score, fatal = _score_of(rows)
    review = QualityReview(
        agent=agent,
        shop=shop,
        chat_date=chat_date,
        chat_reference=reference,
        comment=(comment or "").strip(),
        reviewer=actor,
        score=score,
        fatal=fatal,
    )
    review.full_clean()
    record_actor(review, actor)
    review.save()
    _store_marks(review, rows)
    review_id = review.pk
    transaction.on_commit(lambda: _queue_email(review_id, REVIEWED))
    return review


@transaction.atomic
def review_appeal(*, review: QualityReview, reason: str, actor: User | None) -> QualityReview:
    """The reviewed agent contests the review, once, within ``APPEAL_DAYS`` days of it."""
    if actor is None or agent_id_of(actor) != review.agent_id:
        raise NotPermitted(gettext("Only the reviewed agent can appeal a quality review."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [gettext("Say why the review is wrong.")]})
    review = _lock(review)
    if review.status != ReviewStatus.SCORED or review.appealed_at is not None:
        raise StateConflict(gettext("This review was appealed already; it can be appealed once."))
    now = clock.now()
    if not review.appeal_open(now):
        raise StateConflict(
            gettext("The appeal window closed on %(deadline)s.")
            % {"deadline": moment_text(review.appeal_until)}
        )
    review.status = ReviewStatus.APPEALED
    review.appeal_reason = reason
    review.appealed_at = now
    record_actor(review, actor, "appealed")
    review.save(update_fields=["status", "appeal_reason", "appealed_at", "updated_at"])
    return review


@transaction.atomic
def review_decide(
    *,
    review: QualityReview,
    decision: str,
    note: str = "",
    marks: Mapping[int, int] | None = None,
    breached: Iterable[int] | None = None,
    actor: User | None = None,
) -> QualityReview:
    """Decide an appealed review (managers): ``upheld``, ``rescored`` (with new ``marks`` and
    ``breached``, which replace the old marks) or ``withdrawn``."""
    require_manager(actor)
    if decision not in DECISIONS:
        raise ValidationError({"decision": [gettext("Choose upheld, rescored or withdrawn.")]})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [gettext("Tell the agent why: they read this note.")]})
    review = _lock(review)
    if review.status != ReviewStatus.APPEALED:
        raise StateConflict(
            gettext("Only an appealed review can be decided; this one is %(status)s.")
            % {"status": ReviewStatus(review.status).label}
        )
    fields = ["status", "decision_note", "decided_by", "decided_at", "updated_at"]
    if decision == ReviewStatus.RESCORED:
        if marks is None:
            raise ValidationError({"marks": [gettext("Give the new points of every item.")]})
        rows, errors = marks_check(marks=marks, breached=breached or (), items=_active_items())
        if errors:
            raise ValidationError(errors)
        review.score, review.fatal = _score_of(rows)
        review.marks.all().delete()
        _store_marks(review, rows)
        fields += ["score", "fatal"]
    review.status = decision
    review.decision_note = note
    review.decided_by = actor
    review.decided_at = clock.now()
    record_actor(review, actor, decision)
    review.save(update_fields=fields)
    review_id = review.pk
    transaction.on_commit(lambda: _queue_email(review_id, DECIDED))
    return review


# --- Emails -------------------------------------------------------------------------------------

_SUBJECTS = {
    REVIEWED: gettext_lazy("Quality review of your conversation of %(date)s: %(score)s"),
    DECIDED: gettext_lazy("Your appeal of the quality review of %(date)s: %(decision)s"),
}


def review_email_send(*, review_id: int, kind: str) -> bool:
    """Email the agent, in their account's language, that a conversation of theirs was reviewed
    (``reviewed``) or that their appeal was decided (``decided``). Agents without an account or
    an address get nothing. Returns whether a mail was sent."""
    review = QualityReview.objects.select_related("agent__user", "shop").get(pk=review_id)
    user = review.agent.user
    if user is None or not user.is_active:
        return False
    address = user.email or review.agent.email
    if not address:
        return False

    def context() -> dict[str, Any]:
        return {
            "agent": review.agent.name,
            "shop": review.shop.name,
            "date": date_text(review.chat_date),
            "score": review.score,
            "fatal": review.fatal,
            "comment": review.comment,
            "appeal_until": moment_text(review.appeal_until),
            "decision": ReviewStatus(review.status).label,
            "status": review.status,
            "note": review.decision_note,
            "kind": kind,
        }

    return owner_email_send(
        owner=user,
        subject=_SUBJECTS[kind],
        subject_values={
            "date": review.chat_date.isoformat(),
            "score": review.score,
            "decision": _DecisionLabel(review.status),
        },
        template="payroll/email/review.txt",
        context=context,
        recipient=address,
    )


class _DecisionLabel:
    """A review status translated when the subject is rendered (in the agent's language)."""

    def __init__(self, status: str) -> None:
        self.status = status

    def __str__(self) -> str:
        return str(ReviewStatus(self.status).label)


# --- The sheet ----------------------------------------------------------------------------------

ITEM_FIELDS = ("name", "weight", "active", "position")
_BUILTIN_NAMED = gettext_lazy("Built-in items are named by the app, in each reader's language.")


def qa_item_validate(item: QaItem) -> None:
    """The sheet's rules for one item: a built-in has no name of its own, a fatal item gives
    no points, a weighted item 1 to 100."""
    if item.code is not None and item.name:
        raise ValidationError({"name": [_BUILTIN_NAMED]})
    if item.fatal and item.weight:
        raise ValidationError({"weight": [gettext("A fatal item gives no points: use 0.")]})
    if not item.fatal and not item.weight:
        raise ValidationError({"weight": [gettext("A weighted item gives 1 to 100 points.")]})
    item.full_clean()


@transaction.atomic
def qa_item_create(
    *,
    name: str,
    weight: int = 0,
    fatal: bool = False,
    active: bool = True,
    position: int = 0,
    actor: User | None = None,
) -> QaItem:
    """Add an item of the agency's own to the sheet (managers)."""
    require_manager(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [gettext("Name the item.")]})
    item = QaItem(name=name, weight=weight, fatal=fatal, active=active, position=position)
    qa_item_validate(item)
    record_actor(item, actor)
    item.save()
    return item


@transaction.atomic
def qa_item_update(*, item: QaItem, data: Mapping[str, Any], actor: User | None = None) -> QaItem:
    """Change an item's points, use, position, or (the agency's own items) name (managers).
    Whether it is fatal stays as created: past reviews read their marks by it."""
    require_manager(actor)
    data = dict(data)
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
        if item.code is not None and data["name"]:
            raise ValidationError({"name": [_BUILTIN_NAMED]})
        if item.code is None and not data["name"]:
            raise ValidationError({"name": [gettext("Name the item.")]})
    model_update(
        instance=item, data=data, fields=ITEM_FIELDS, actor=actor, validate=qa_item_validate
    )
    return item


def qa_sheet_warning(items: Iterable[QaItem]) -> str:
    """A warning when the active weighted items do not add up to 100 points, else ""."""
    total = sum(item.weight for item in items if item.active and not item.fatal)
    if total == SHEET_TOTAL:
        return ""
    return gettext(
        "The weighted items in use add up to %(total)s points, not 100: scores are still out of "
        "100 (points given over points possible), but the sheet reads more clearly at 100."
    ) % {"total": total}
