"""Platform sub-accounts (旺旺子账号): which agent holds which shop's chat login, since when.

Managers grant (开通) a sub-account of a shop to an agent, correct it, and revoke (收回) it when
the agent leaves or the shop's last contract ends (``seats.selectors.sub_accounts_to_revoke``
lists those still to revoke). Every rule is checked here first, so people get a message rather
than an IntegrityError; the database's constraints are the last word.

The name is stored as the chat exports (千牛, 赤兔) write it, ``<shop name>:<account>`` (e.g.
``小鹿童装旗舰店:小美``), so an imported file names the agent and the shop at once. A name given
without the shop (``小美``) is completed with the shop's name; one given with a shop must give
this shop's name. The full-width colon of Chinese keyboards (``：``) is read as ``:``.
"""

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from agency import clock
from agency.access import require_manager
from agency.errors import StateConflict
from agency.models import User
from agency.services import model_update, record_actor
from seats.models import Agent, SubAccount

if TYPE_CHECKING:
    from shops.models import Shop

SUB_ACCOUNT_EDITABLE_FIELDS = ("agent", "name", "granted_on", "revoked_on")
SEPARATOR = ":"
_NAME_MAX_LENGTH = SubAccount._meta.get_field("name").max_length


def sub_account_full_name(*, shop: "Shop", name: str) -> str:
    """The stored form ``<shop name>:<account>`` of ``name``, or a ``ValidationError`` on
    ``name`` when it names another shop or no account."""
    written = (name or "").replace("：", SEPARATOR).strip()
    shop_part, separator, account = written.rpartition(SEPARATOR)
    account = account.strip()
    if separator and shop_part.strip() != shop.name:
        raise ValidationError(
            {
                "name": gettext(
                    "“%(name)s” is not a sub-account of %(shop)s: it must be written "
                    "“%(shop)s:account” or as the account alone."
                )
                % {"name": written, "shop": shop.name}
            }
        )
    if not account:
        raise ValidationError({"name": gettext("Give the sub-account's name after the shop's.")})
    return f"{shop.name}{SEPARATOR}{account}"


def sub_account_validate(
    *,
    shop: "Shop",
    agent: Agent,
    name: str,
    granted_on: date,
    revoked_on: date | None = None,
    exclude_id: int | None = None,
    agent_changed: bool = True,
) -> str:
    """Check a sub-account against the rules; return its name in the stored form.

    Raises ``ValidationError`` by field: the name is not one of the shop's; another agent (or
    the same) already holds this name of the shop and it was not revoked; the agent has left
    (only when the agent is given anew: ``agent_changed``); granted or revoked in the future;
    revoked before it was granted.
    """
    errors: dict[str, str] = {}
    try:
        full_name = sub_account_full_name(shop=shop, name=name)
    except ValidationError as error:
        errors.update({field: messages[0] for field, messages in error.message_dict.items()})
        full_name = ""
    if full_name and len(full_name) > _NAME_MAX_LENGTH:
        errors["name"] = gettext("At most %(count)d characters, the shop's name included.") % {
            "count": _NAME_MAX_LENGTH
        }
    today = clock.today()
    if agent_changed and agent.status == Agent.Status.LEFT:
        errors["agent"] = gettext(
            "%(agent)s has left the agency: a shop's sub-account cannot be given to them."
        ) % {"agent": agent.name}
    if granted_on > today:
        errors["granted_on"] = gettext(
            "A sub-account is recorded once it is granted: %(date)s is still to come."
        ) % {"date": f"{granted_on:%Y-%m-%d}"}
    if revoked_on is not None:
        if revoked_on > today:
            errors["revoked_on"] = gettext(
                "A sub-account is recorded as revoked once it is: %(date)s is still to come."
            ) % {"date": f"{revoked_on:%Y-%m-%d}"}
        elif revoked_on < granted_on:
            errors["revoked_on"] = gettext(
                "It cannot be revoked before it was granted (%(date)s)."
            ) % {"date": f"{granted_on:%Y-%m-%d}"}
    if full_name and revoked_on is None and "name" not in errors:
        holders = SubAccount.objects.active().filter(shop=shop, name=full_name)
        if exclude_id is not None:
            holders = holders.exclude(pk=exclude_id)
        holder = holders.select_related("agent").first()
        if holder is not None:
            errors["name"] = gettext(
                "%(name)s is in %(agent)s's hands since %(date)s; revoke it there first."
            ) % {
                "name": full_name,
                "agent": holder.agent.name,
                "date": f"{holder.granted_on:%Y-%m-%d}",
            }
    if errors:
        raise ValidationError(errors)
    return full_name


@transaction.atomic
def sub_account_grant(
    *,
    shop: "Shop",
    agent: Agent,
    name: str,
    granted_on: date | None = None,
    actor: User | None = None,
) -> SubAccount:
    """Record that ``agent`` holds the sub-account ``name`` of ``shop`` since ``granted_on``
    (default today)."""
    require_manager(actor)
    granted_on = granted_on or clock.today()
    full_name = sub_account_validate(shop=shop, agent=agent, name=name, granted_on=granted_on)
    sub_account = SubAccount(shop=shop, agent=agent, name=full_name, granted_on=granted_on)
    sub_account.full_clean(exclude=["shop", "agent"], validate_constraints=False)
    record_actor(sub_account, actor)
    sub_account.save()
    return sub_account


@transaction.atomic
def sub_account_update(
    *, sub_account: SubAccount, data: dict[str, Any], actor: User | None = None
) -> SubAccount:
    """Change the given fields (``SUB_ACCOUNT_EDITABLE_FIELDS``) with the rules of granting. A
    sub-account stays with its shop: revoke it and grant the other shop's instead."""
    require_manager(actor)
    data = dict(data)
    if "shop" in data:
        new_shop = data.pop("shop")
        if getattr(new_shop, "pk", new_shop) != sub_account.shop_id:
            raise ValidationError(
                {
                    "shop": gettext(
                        "A sub-account stays with its shop: revoke it and grant one of the "
                        "other shop instead."
                    )
                }
            )
    values = {field: getattr(sub_account, field) for field in SUB_ACCOUNT_EDITABLE_FIELDS}
    values.update(data)
    agent_changed = "agent" in data and data["agent"].pk != sub_account.agent_id
    if "name" in data or agent_changed or "granted_on" in data or "revoked_on" in data:
        full_name = sub_account_validate(
            shop=sub_account.shop,
            agent=values["agent"],
            name=values["name"],
            granted_on=values["granted_on"],
            revoked_on=values["revoked_on"],
            exclude_id=sub_account.pk,
            agent_changed=agent_changed,
        )
        if "name" in data:
            data["name"] = full_name
    model_update(instance=sub_account, data=data, fields=SUB_ACCOUNT_EDITABLE_FIELDS, actor=actor)
    return sub_account


@transaction.atomic
def sub_account_revoke(
    *, sub_account: SubAccount, revoked_on: date | None = None, actor: User | None = None
) -> SubAccount:
    """Record that the sub-account was taken back on ``revoked_on`` (default today): not before
    it was granted, not in the future. A sub-account already revoked is a ``StateConflict``."""
    require_manager(actor)
    sub_account = (
        SubAccount.objects.select_for_update()
        .select_related("shop", "agent")
        .get(pk=sub_account.pk)
    )
    if sub_account.revoked_on is not None:
        raise StateConflict(
            gettext("%(name)s was already revoked on %(date)s.")
            % {"name": sub_account.name, "date": f"{sub_account.revoked_on:%Y-%m-%d}"}
        )
    revoked_on = revoked_on or clock.today()
    sub_account_validate(
        shop=sub_account.shop,
        agent=sub_account.agent,
        name=sub_account.name,
        granted_on=sub_account.granted_on,
        revoked_on=revoked_on,
        exclude_id=sub_account.pk,
        agent_changed=False,
    )
    model_update(
        instance=sub_account,
        data={"revoked_on": revoked_on},
        fields=("revoked_on",),
        actor=actor,
    )
    return sub_account
