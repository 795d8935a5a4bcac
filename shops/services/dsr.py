"""DSR ratings: buyers' ratings from the platforms' exports, recorded once and never changed."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from agency.access import require_manager
from agency.errors import ApplicationError, RowError, RowErrors
from agency.models import User
from shops.models import DsrRating, Shop

DSR_MAX_ROWS = 10_000
DSR_SCORE_FIELDS = ("description", "service", "logistics")


class DsrBulkError(RowErrors):
    """A list of ratings refused as a whole: nothing was recorded (answered as 400)."""

    def summary(self, count: int) -> str:
        return gettext(
            "Nothing was recorded: correct the rows listed in errors and send them all again."
        )


def _chunks(values: list, size: int) -> Iterable[list]:
    for index in range(0, len(values), size):
        yield values[index : index + size]


@transaction.atomic
def dsr_ratings_record(
    *, actor: User | None, ratings: Sequence[Mapping[str, Any]]
) -> list[DsrRating]:
    """Record buyers' ratings (one or many), all or none.

    Each rating is a mapping with ``shop_id``, ``buyer``, ``order_id``, ``rated_at`` (aware),
    ``paid_with_alipay`` and the three scores (1-5). One rating per shop and order: a rating is
    never changed or deleted once recorded, so sending an order again is refused, not replaced.
    """
    require_manager(actor)
    if not ratings:
        raise ApplicationError(gettext("Send at least one rating."))
    if len(ratings) > DSR_MAX_ROWS:
        raise ApplicationError(
            gettext("Send at most %(count)s ratings at once.") % {"count": DSR_MAX_ROWS}
        )

    shop_ids = {rating["shop_id"] for rating in ratings}
    known_shops = set(Shop.objects.filter(pk__in=shop_ids).values_list("pk", flat=True))
    recorded: set[tuple[int, str]] = set()
    order_ids = sorted({str(rating["order_id"]).strip() for rating in ratings})
    for chunk in _chunks(order_ids, 500):
        recorded.update(
            DsrRating.objects.filter(shop_id__in=known_shops, order_id__in=chunk).values_list(
                "shop_id", "order_id"
            )
        )

    errors: list[RowError] = []
    first_row: dict[tuple[int, str], int] = {}
    for number, rating in enumerate(ratings, start=1):
        shop_id, order_id = rating["shop_id"], str(rating["order_id"]).strip()
        if shop_id not in known_shops:
            errors.append(
                RowError(number, "shop", gettext("Shop %(id)s not found.") % {"id": shop_id})
            )
        if not str(rating.get("buyer") or "").strip():
            errors.append(RowError(number, "buyer", gettext("Name the buyer.")))
        if not order_id:
            errors.append(RowError(number, "order_id", gettext("Give the order id.")))
        rated_at = rating.get("rated_at")
        if not isinstance(rated_at, dt.datetime) or timezone.is_naive(rated_at):
            errors.append(
                RowError(number, "rated_at", gettext("Give the date and time with an offset."))
            )
        for field in DSR_SCORE_FIELDS:
            score = rating.get(field)
            if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
                errors.append(RowError(number, field, gettext("Scores are 1 to 5 stars.")))
        key = (shop_id, order_id)
        if key in recorded:
            errors.append(
                RowError(
                    number,
                    "order_id",
                    gettext(
                        "Order %(order)s of this shop already has a rating; a recorded rating "
                        "is never changed."
                    )
                    % {"order": order_id},
                )
            )
        elif key in first_row:
            errors.append(
                RowError(
                    number,
                    "order_id",
                    gettext("Order %(order)s of this shop is also in row %(row)s.")
                    % {"order": order_id, "row": first_row[key]},
                )
            )
        else:
            first_row[key] = number
    if errors:
        raise DsrBulkError(errors)

    return DsrRating.objects.bulk_create(
        [
            DsrRating(
                shop_id=rating["shop_id"],
                buyer=rating["buyer"].strip(),
                order_id=str(rating["order_id"]).strip(),
                rated_at=rating["rated_at"],
                paid_with_alipay=rating.get("paid_with_alipay", True),
                description=rating["description"],
                service=rating["service"],
                logistics=rating["logistics"],
            )
            for rating in ratings
        ],
        batch_size=500,
    )
