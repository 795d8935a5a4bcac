"""Reads of the agency app: accounts (managers only; the interfaces check the role first)."""

from django.db.models import Case, IntegerField, QuerySet, Value, When

from agency.access import ROLE_AGENT, ROLE_MANAGER, ROLE_OWNER
from agency.models import User

# Sort keys of account lists: name -> ordering (the role sorts managers, owners, agents).
USER_SORTS = {
    "username": ("username",),
    "role": ("role_rank", "username"),
    "language": ("language", "username"),
    "is_active": ("-is_active", "username"),
    "date_joined": ("date_joined", "id"),
}


def user_list(*, role: str | None = None, is_active: bool | None = None) -> QuerySet[User]:
    """Accounts with the agent each signs in as (``agent_profile``, in the same query) and
    ``role_rank`` (0 manager, 1 owner, 2 agent) to sort by, by username.

    ``role`` keeps one role (``manager`` = staff; ``agent`` = linked to an agent; ``owner`` =
    the rest), ``is_active`` active or deactivated accounts.
    """
    users = (
        User.objects.select_related("agent_profile")
        .annotate(
            role_rank=Case(
                When(is_staff=True, then=Value(0)),
                When(agent_profile__isnull=False, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("username")
    )
    if role == ROLE_MANAGER:
        users = users.filter(is_staff=True)
    elif role == ROLE_AGENT:
        users = users.filter(is_staff=False, agent_profile__isnull=False)
    elif role == ROLE_OWNER:
        users = users.filter(is_staff=False, agent_profile__isnull=True)
    if is_active is not None:
        users = users.filter(is_active=is_active)
    return users


def user_list_sorted(users: QuerySet[User], sort: str | None) -> QuerySet[User]:
    """``users`` ordered by one of ``USER_SORTS`` (a leading ``-`` reverses it); an unknown key
    keeps the username order."""
    descending = bool(sort) and sort.startswith("-")
    key = (sort or "").lstrip("-")
    if key not in USER_SORTS:
        return users
    ordering = list(USER_SORTS[key])
    if descending:
        ordering = [name[1:] if name.startswith("-") else f"-{name}" for name in ordering]
    return users.order_by(*ordering)
