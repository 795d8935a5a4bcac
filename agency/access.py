"""Who may see which shop. Every tenant-scoped read starts from one of these selectors (or from
``shops.selectors.shops_for_user``, which applies the same rule to the shops themselves).

Managers (active staff) see everything; a shop owner sees the shops they own and what hangs off
them. Anything outside a user's rights is simply absent from their querysets, so views answer 404
(never 403) and ids leak nothing.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext

from agency.errors import NotPermitted
from agency.models import User


def is_manager(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def require_manager(actor: User | None) -> None:
    """Refuse (``NotPermitted``, 403) a write only managers make; ``None`` is the system itself."""
    if actor is not None and not is_manager(actor):
        raise NotPermitted(gettext("Only agency managers can do this."))


def scoped_to_shops(queryset: QuerySet, user: User, *, shop_field: str = "shop") -> QuerySet:
    """Restrict any queryset of rows hanging off a shop (contracts, invoices, ...) to ``user``."""
    if is_manager(user):
        return queryset
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    return queryset.filter(**{f"{shop_field}__owner": user})
