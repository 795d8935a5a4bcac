"""Contracts: what a shop bought, with its price-book defaults and the seat's shop limit."""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from agency.access import require_manager
from agency.choices import CommissionMode, Plan, Shift
from agency.limits import max_shops_per_seat, seat_takes_another_shop
from agency.models import User
from agency.services import record_actor
from shops.models import Contract, PriceBookEntry, Shop
from shops.selectors import seat_busiest_day
from shops.terms import DEFAULT_TIERS, ContractTerms, tiers_from_json, tiers_to_json

if TYPE_CHECKING:
    from seats.models import Seat

CONTRACT_TERMS_FIELDS = (
    "plan",
    "shift",
    "seat",
    "start_date",
    "end_date",
    "price",
    "commission_mode",
    "commission_tiers",
)
"""A contract's fields after its shop, in the order the forms and the API show them."""
CONTRACT_EDITABLE_FIELDS = frozenset(CONTRACT_TERMS_FIELDS)


def _normalised_tiers(source: Any) -> list[dict[str, str]]:
    # Validated again after rounding: bounds that only differ past the cent would collapse.
    normalised = tiers_to_json(tiers_from_json(source))
    tiers_from_json(normalised)
    return normalised


def contract_validate(
    *,
    shop: Shop,
    plan: str,
    shift: str | None,
    seat: "Seat | None",
    start_date: dt.date,
    end_date: dt.date | None,
    price: Decimal | None = None,
    commission_mode: str | None = None,
    commission_tiers: Any = None,
    contract_id: int | None = None,
) -> ContractTerms:
    """Check every contract rule and fill the money terms from the price book.

    Used by ``contract_create``, ``contract_update`` and the admin form, so the rules live in one
    place. ``None`` for price, mode or tiers means "take the price book's"; day plans carry no
    commission tiers. Raises ``ValidationError`` with a message per field.
    """
    errors: dict[str, list[str]] = defaultdict(list)
    if plan not in Plan.values:
        raise ValidationError({"plan": [gettext("Unknown plan %(plan)r.") % {"plan": plan}]})

    if plan == Plan.SHIFT:
        if not shift:
            errors["shift"].append(gettext("The shift plan needs a shift: day or night."))
        elif shift not in Shift.values:
            errors["shift"].append(gettext("The shift must be day or night."))
    elif shift:
        errors["shift"].append(
            gettext(
                "Only the shift plan takes a shift; leave it empty for this plan (it covers "
                "09:00-24:00)."
            )
        )
    if plan in Plan.day_plans() and end_date is None:
        errors["end_date"].append(
            gettext(
                "Day plans (temporary, promotion) need an end date: every date from start to end "
                "is a billed service day."
            )
        )
    if end_date is not None and end_date < start_date:
        errors["end_date"].append(gettext("The end date cannot be before the start date."))
    if price is not None and (not price.is_finite() or price < 0):
        errors["price"].append(gettext("The price cannot be negative."))
    if commission_mode is not None and commission_mode not in CommissionMode.values:
        errors["commission_mode"].append(gettext("The commission mode must be graduated or flat."))

    entry = None
    if price is None or commission_mode is None or commission_tiers is None:
        entry = PriceBookEntry.objects.filter(plan=plan).first()
    if price is None:
        if entry is None:
            errors["price"].append(
                gettext("The price book has no price for this plan; give a price.")
            )
        else:
            price = entry.price
    if commission_mode is None:
        commission_mode = entry.commission_mode if entry else CommissionMode.GRADUATED

    tiers: list[dict[str, str]] = []
    if plan in Plan.day_plans():
        if commission_tiers:
            errors["commission_tiers"].append(
                gettext(
                    "Day plans (temporary, promotion) carry no commission; leave the tiers empty."
                )
            )
    else:
        source = commission_tiers
        if source is None:
            has_tiers = entry is not None and entry.commission_tiers
            source = entry.commission_tiers if has_tiers else tiers_to_json(DEFAULT_TIERS)
        try:
            tiers = _normalised_tiers(source)
        except ValueError as exc:
            errors["commission_tiers"].append(str(exc))

    if errors:
        raise ValidationError(dict(errors))
    if seat is not None:
        _check_seat_capacity(
            seat=seat, shop=shop, start_date=start_date, end_date=end_date, contract_id=contract_id
        )
    return ContractTerms(price=price, commission_mode=commission_mode, commission_tiers=tiers)


def _check_seat_capacity(
    *,
    seat: "Seat",
    shop: Shop,
    start_date: dt.date,
    end_date: dt.date | None,
    contract_id: int | None,
) -> None:
    busiest = seat_busiest_day(
        seat_id=seat.pk,
        start=start_date,
        end=end_date,
        exclude_shop_id=shop.pk,
        exclude_contract_id=contract_id,
    )
    if not seat_takes_another_shop(busiest.shop_count):
        raise ValidationError(
            {
                "seat": [
                    gettext(
                        "Seat %(seat)s already serves %(count)s other shops on %(date)s "
                        "(%(shops)s); a seat serves at most %(limit)s shops at once."
                    )
                    % {
                        "seat": seat.code,
                        "count": busiest.shop_count,
                        "date": f"{busiest.date:%Y-%m-%d}",
                        "shops": gettext(", ").join(busiest.shop_names),
                        "limit": max_shops_per_seat(),
                    }
                ]
            }
        )


def _lock_seat(seat: "Seat | None") -> None:
    """Serialise contract writes per seat so two requests cannot both take its last place."""
    if seat is not None:
        seats = Contract._meta.get_field("seat").related_model.objects
        list(seats.select_for_update().filter(pk=seat.pk).values_list("pk", flat=True))


@transaction.atomic
def contract_create(
    *,
    actor: User | None,
    shop: Shop,
    plan: str,
    start_date: dt.date,
    shift: str | None = None,
    seat: "Seat | None" = None,
    end_date: dt.date | None = None,
    price: Decimal | None = None,
    commission_mode: str | None = None,
    commission_tiers: Any = None,
) -> Contract:
    require_manager(actor)
    _lock_seat(seat)
    terms = contract_validate(
        shop=shop,
        plan=plan,
        shift=shift,
        seat=seat,
        start_date=start_date,
        end_date=end_date,
        price=price,
        commission_mode=commission_mode,
        commission_tiers=commission_tiers,
    )
    contract = Contract(
        shop=shop,
        plan=plan,
        shift=shift or None,
        seat=seat,
        start_date=start_date,
        end_date=end_date,
        price=terms.price,
        commission_mode=terms.commission_mode,
        commission_tiers=terms.commission_tiers,
    )
    contract.full_clean(exclude=["shop", "seat"], validate_constraints=False)
    record_actor(contract, actor)
    contract.save()
    return contract


@transaction.atomic
def contract_update(*, contract: Contract, actor: User | None, data: Mapping[str, Any]) -> Contract:
    """Change a contract with the same rules as ``contract_create``.

    A contract stays with its shop (end it and create a new one instead). Changing the plan
    without giving a price, mode or tiers takes the new plan's from the price book, and leaving
    the shift plan drops the shift, because the old plan's terms rarely suit the new one.
    """
    require_manager(actor)
    data = dict(data)
    if "shop" in data:
        new_shop = data.pop("shop")
        if getattr(new_shop, "pk", new_shop) != contract.shop_id:
            raise ValidationError(
                {
                    "shop": [
                        gettext(
                            "A contract's shop cannot be changed; end this contract and create "
                            "one for the other shop."
                        )
                    ]
                }
            )
    unknown = set(data) - CONTRACT_EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            {field: [gettext("This field cannot be changed.")] for field in unknown}
        )

    values = {field: getattr(contract, field) for field in CONTRACT_EDITABLE_FIELDS}
    values.update(data)
    if values["plan"] != contract.plan:
        for field in ("price", "commission_mode", "commission_tiers"):
            if field not in data:
                values[field] = None
        if "shift" not in data and values["plan"] != Plan.SHIFT:
            values["shift"] = None
    if values["plan"] in Plan.day_plans() and "commission_tiers" not in data:
        values["commission_tiers"] = None

    _lock_seat(values["seat"])
    terms = contract_validate(shop=contract.shop, contract_id=contract.pk, **values)
    values.update(
        shift=values["shift"] or None,
        price=terms.price,
        commission_mode=terms.commission_mode,
        commission_tiers=terms.commission_tiers,
    )
    for field, value in values.items():
        setattr(contract, field, value)
    contract.full_clean(exclude=["shop", "seat"], validate_constraints=False)
    record_actor(contract, actor)
    contract.save()
    return contract
