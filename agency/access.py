"""Who may see which shop. Every tenant-scoped read starts from one of these selectors (or from
``shops.selectors.shops_for_user``, which applies the same rule to the shops themselves).

Managers (active staff) see everything; a shop owner sees the shops they own and what hangs off
them; an agent sees the shops their agent serves today (nothing about money). Anything outside
a user's rights is simply absent from their querysets, so views answer 404
(never 403) and ids leak nothing.
"""

import datetime as dt
from collections.abc import Callable, Iterable

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils.translation import gettext

from agency import clock
from agency.errors import NotPermitted
from agency.models import User

ROLE_MANAGER, ROLE_OWNER, ROLE_AGENT = "manager", "owner", "agent"


def is_manager(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def require_manager(actor: User | None) -> None:
    """Refuse (``NotPermitted``, 403) a write only managers make; ``None`` is the system itself."""
    if actor is not None and not is_manager(actor):
        raise NotPermitted(gettext("Only agency managers can do this."))


def scoped_to_shops(
    queryset: QuerySet, user: User, *, shop_field: str = "shop", money: bool = False
) -> QuerySet:
    """Restrict any queryset of rows hanging off a shop (contracts, invoices, ...) to ``user``.

    Agents see the rows of the shops they serve today, and never rows about money
    (``money=True``: invoices, turnover, ...).
    """
    if is_manager(user):
        return queryset
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if not money and is_agent(user):
        return queryset.filter(**{f"{shop_field}__in": sorted(agent_shop_ids(user))})
    # Agents own no shops: rows about money stay out of their reach without asking who they are.
    return queryset.filter(**{f"{shop_field}__owner": user})


# --- Agents -------------------------------------------------------------------------------------
# An agent's account sees the shops its agent serves on the current date. Who serves what is the
# roster's rule (``seats.roster.shop_ids_served_by``), which this layer cannot import: the seats
# app registers it when Django starts.

_agent_shop_ids: Callable[..., Iterable[int]] | None = None


def register_agent_shops(function: Callable[..., Iterable[int]]) -> None:
    """Install ``function(agent_id=, day=) -> shop ids``: which shops an agent serves."""
    global _agent_shop_ids
    _agent_shop_ids = function


def agent_id_of(user: User | None) -> int | None:
    """The id of the agent ``user`` signs in as (active, non-staff accounts only), else None."""
    if not (user and user.is_authenticated and user.is_active) or user.is_staff:
        return None
    try:
        return user.agent_profile.pk
    except ObjectDoesNotExist:
        return None


def is_agent(user: User | None) -> bool:
    return agent_id_of(user) is not None


def is_owner(user: User | None) -> bool:
    """A client account: active, not staff, not an agent (whether or not it owns a shop yet)."""
    return bool(user and user.is_authenticated and user.is_active) and not (
        user.is_staff or is_agent(user)
    )


def user_role(user: User | None) -> str | None:
    """``manager``, ``agent`` or ``owner`` (the API's ``role``); None for nobody."""
    if is_manager(user):
        return ROLE_MANAGER
    if is_agent(user):
        return ROLE_AGENT
    if is_owner(user):
        return ROLE_OWNER
    return None


# Where each role belongs in the browser: the manager app, the client portal, the agents' desk.
# Each part of the site sends a signed-in visitor of another role to their own part (a redirect,
# not a 403), and signing in lands there through the manager app's root.
HOME_URLS = {ROLE_MANAGER: "/", ROLE_OWNER: "/portal/", ROLE_AGENT: "/desk/"}


def home_url(user: User | None) -> str:
    """The part of the site that is ``user``'s: ``/`` (managers), ``/portal/``, ``/desk/``."""
    return HOME_URLS.get(user_role(user), HOME_URLS[ROLE_MANAGER])


def agent_shop_ids(user: User, *, day: dt.date | None = None) -> set[int]:
    """The shops an agent's account may see: those its agent serves on ``day`` (default today)."""
    agent_id = agent_id_of(user)
    if agent_id is None or _agent_shop_ids is None:
        return set()
    return set(_agent_shop_ids(agent_id=agent_id, day=day or clock.today()))
