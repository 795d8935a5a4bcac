"""Shops: create and change a client shop; owners keep their briefing current."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from agency.access import is_manager, require_manager
from agency.errors import NotPermitted
from agency.models import User
from agency.services import model_update, record_actor, refuse_unknown_fields
from shops.models import Shop
from shops.validators import tax_id_normalize

SHOP_FIELDS = (
    "owner",
    "name",
    "platform",
    "platform_shop_id",
    "category",
    "status",
    "daily_inquiries_estimate",
    "briefing",
    "billing_name",
    "tax_id",
    "billing_address",
    "billing_email",
    "payment_terms_days",
)
PAYMENT_TERMS_MAX_DAYS = 365
"""A shop's payment terms are at most a year after issue."""
OWNER_EDITABLE_SHOP_FIELDS = frozenset({"briefing"})
"""What owners may change on their own shop: the portal lets them keep the briefing current."""


def payment_terms_help() -> str:
    """The payment terms field's help, naming the agency's default (``AGENCY_PAYMENTS``)."""
    return gettext(
        "Days from an invoice's issue to its due date (0 to %(max)d); empty: the agency's "
        "default, %(default)d days."
    ) % {"max": PAYMENT_TERMS_MAX_DAYS, "default": settings.AGENCY_PAYMENTS["TERMS_DAYS"]}


def shop_check_editable_fields(*, actor: User | None, fields: Iterable[str]) -> None:
    """Refuse, naming each field, the shop fields ``actor`` may not change."""
    if actor is None or is_manager(actor):
        return
    refused = sorted(set(fields) - OWNER_EDITABLE_SHOP_FIELDS)
    if refused:
        message = gettext(
            "Only agency managers can change this field; shop owners may edit the briefing."
        )
        raise ValidationError({field: [message] for field in refused})


def _shop_validate(shop: Shop) -> None:
    # A tax id is written with spaces and small letters as often as not; store it as issued.
    shop.tax_id = tax_id_normalize(shop.tax_id)
    shop.billing_email = (shop.billing_email or "").strip()
    # The conditional unique constraint's own message names only the constraint; say it plainly.
    if (
        shop.platform_shop_id
        and Shop.objects.filter(platform=shop.platform, platform_shop_id=shop.platform_shop_id)
        .exclude(pk=shop.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "platform_shop_id": [
                    gettext("Another shop on this platform already has this shop id.")
                ]
            }
        )
    terms = shop.payment_terms_days
    if terms is not None and not 0 <= terms <= PAYMENT_TERMS_MAX_DAYS:
        raise ValidationError(
            {
                "payment_terms_days": [
                    gettext("Payment terms are 0 to %(max)d days after issue.")
                    % {"max": PAYMENT_TERMS_MAX_DAYS}
                ]
            }
        )
    shop.full_clean(validate_constraints=False)


@transaction.atomic
def shop_create(
    *,
    actor: User | None,
    owner: User,
    name: str,
    platform: str,
    platform_shop_id: str = "",
    category: str = "",
    status: str = Shop.Status.PROSPECT,
    daily_inquiries_estimate: int = 0,
    briefing: str = "",
    billing_name: str = "",
    tax_id: str = "",
    billing_address: str = "",
    billing_email: str = "",
    payment_terms_days: int | None = None,
) -> Shop:
    require_manager(actor)
    shop = Shop(
        owner=owner,
        name=name,
        platform=platform,
        platform_shop_id=platform_shop_id,
        category=category,
        status=status,
        daily_inquiries_estimate=daily_inquiries_estimate,
        briefing=briefing,
        billing_name=billing_name,
        tax_id=tax_id,
        billing_address=billing_address,
        billing_email=billing_email,
        payment_terms_days=payment_terms_days,
    )
    _shop_validate(shop)
    record_actor(shop, actor)
    shop.save()
    return shop


@transaction.atomic
def shop_update(*, shop: Shop, actor: User | None, data: Mapping[str, Any]) -> Shop:
    """Change the given fields of ``shop``; owners may change only the briefing of their shop.

    Only the fields whose value changes are saved (and recorded in the history)."""
    refuse_unknown_fields(data=data, fields=SHOP_FIELDS)
    shop_check_editable_fields(actor=actor, fields=data.keys())
    if actor is not None and not is_manager(actor) and shop.owner_id != actor.pk:
        raise NotPermitted(gettext("Only the shop's owner or a manager can change it."))
    model_update(instance=shop, data=data, fields=SHOP_FIELDS, actor=actor, validate=_shop_validate)
    return shop
