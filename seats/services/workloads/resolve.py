"""Who and which shop each row names, and which shift, for all rows at once.

An agent is named by id, employee number, unique name, or a platform sub-account (旺旺子账号) of
the row's shop in use on the row's date; a sub-account belongs to one shop, so a file whose agent
column holds registered sub-accounts (赤兔 writes them ``小鹿童装旗舰店:小美``) needs no shop
column. A shop is named by id, name or platform shop id. A name that fits more than one agent or
shop is an error saying so, never a guess. A row without a shift takes the one the roster gave
the agent that date (``seats.selectors.roster_shifts``).

Set-based: one query for the shops, one for the agents, one for the sub-accounts and one for
the roster per thousand distinct names, whatever the number of rows.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext

from agency.errors import RowError
from seats.selectors import (
    SubAccountUse,
    agents_named,
    roster_shifts,
    shops_named,
    sub_accounts_named,
)

Rows = list[tuple[int, dict[str, Any]]]
_NONE: frozenset[int] = frozenset()


def _index(found: list[tuple[int, str, str]]) -> dict[str, set[int]]:
    """Each way of naming a row of ``found`` (id, then two names) -> the ids it names."""
    by_name: dict[str, set[int]] = defaultdict(set)
    for pk, first, second in found:
        for text in (str(pk), first, second):
            if text:
                by_name[text].add(pk)
    return by_name


def _day(cleaned: dict[str, Any]) -> date | None:
    value = cleaned.get("date")
    return value if isinstance(value, date) else None


@dataclass(frozen=True)
class Names:
    """What the names of an upload match: each way of naming a shop or an agent -> the ids it
    names, and the sub-accounts called like one of the agents, by name."""

    shops: dict[str, set[int]]
    agents: dict[str, set[int]]
    sub_accounts: dict[str, list[SubAccountUse]]


def names_found(*, agents: set[str], shops: set[str], dates: list[date]) -> Names:
    """Look up the agents and shops an upload names (``dates``: the rows' dates, for the
    sub-accounts in use then)."""
    shops_by_name = _index(shops_named(references=shops))
    agents_by_name = _index(agents_named(references=agents))
    sub_accounts: dict[str, list[SubAccountUse]] = defaultdict(list)
    if dates:
        for use in sub_accounts_named(names=agents, date_from=min(dates), date_to=max(dates)):
            sub_accounts[use.name].append(use)
    return Names(shops=shops_by_name, agents=agents_by_name, sub_accounts=sub_accounts)


def names_of_rows(rows: Rows) -> Names:
    """``names_found`` for the names and dates of ``rows``."""
    return names_found(
        agents={c["agent"] for _, c in rows if c.get("agent")},
        shops={c["shop"] for _, c in rows if c.get("shop")},
        dates=[day for _, cleaned in rows if (day := _day(cleaned))],
    )


def names_of_columns(agents: list[Any], shops: list[Any], dates: list[Any]) -> Names:
    """``names_found`` for the names and dates of the columns of rows that ``clean_columns``
    refused none of."""
    return names_found(
        agents={agent for agent in set(agents) if agent},
        shops={shop for shop in set(shops) if shop},
        dates=[day for day in set(dates) if isinstance(day, date)],
    )


def resolve_columns(
    agents: list[Any], shops: list[Any], names: Names
) -> list[tuple[int, int]] | None:
    """Each row's (agent id, shop id) when every row names its agent and its shop each by one
    match, as ``resolve_references`` would find them; None when a row needs more (a
    sub-account, a shop left out, a name matching none or several: an error perhaps), for
    ``resolve_references`` to look at row by row."""
    if names.sub_accounts:  # one of the agents is called like a sub-account
        return None
    resolved: dict[tuple[Any, Any], tuple[int, int]] = {}
    for agent, shop in set(zip(agents, shops, strict=True)):
        agent_ids, shop_ids = names.agents.get(agent, _NONE), names.shops.get(shop, _NONE)
        if not (agent and shop) or len(agent_ids) != 1 or len(shop_ids) != 1:
            return None
        resolved[agent, shop] = (next(iter(agent_ids)), next(iter(shop_ids)))
    return list(map(resolved.__getitem__, zip(agents, shops, strict=True)))


def resolve_references(
    rows: Rows, *, labels: dict[str, str], names: Names | None = None
) -> list[RowError]:
    """Set ``agent_id`` and ``shop_id`` on every row that names them well; the errors of the
    others. ``names``: what ``names_of_rows(rows)`` finds, when looked up already."""
    if names is None:
        names = names_of_rows(rows)
    shops, agents, sub_accounts = names.shops, names.agents, names.sub_accounts

    errors: list[RowError] = []
    # An agent named without a sub-account and a shop resolve to the same ids on every row:
    # the pairs resolved well, for the next rows that name them.
    resolved: dict[tuple[str, str | None], tuple[int, int]] = {}
    for number, cleaned in rows:
        # The shop: named (a reference), left out (None), or wrongly written ("" here: its
        # error is reported, and no sub-account of another shop stands in for it).
        shop = cleaned.get("shop", "")
        agent = cleaned.get("agent")
        if agent not in sub_accounts and (ids := resolved.get((agent, shop))) is not None:
            cleaned["agent_id"], cleaned["shop_id"] = ids
            continue
        shop_id = None
        if shop:
            matches = shops.get(shop, _NONE)
            if len(matches) == 1:
                shop_id = next(iter(matches))
            elif not matches:
                message = gettext(
                    "Unknown shop '%(value)s': not a shop id, shop name or platform shop id."
                )
                errors.append(RowError(number, labels["shop"], message % {"value": shop}))
            else:
                message = gettext("%(count)s shops match '%(value)s'; name the shop by its id.")
                errors.append(
                    RowError(
                        number, labels["shop"], message % {"count": len(matches), "value": shop}
                    )
                )
        if not agent:
            continue  # its error is reported already
        day = _day(cleaned)
        agent_id = None
        if agent in sub_accounts and day is not None and (shop_id is not None or shop is None):
            uses = {
                (use.agent_id, use.shop_id)
                for use in sub_accounts.get(agent, ())
                if use.usable_on(day) and (shop_id is None or use.shop_id == shop_id)
            }
            if len(uses) > 1:
                message = gettext(
                    "The sub-account '%(value)s' belongs to several shops; add a shop column."
                )
                errors.append(RowError(number, labels["agent"], message % {"value": agent}))
                continue
            if uses:
                agent_id, found_shop = next(iter(uses))
                shop_id = shop_id or found_shop
        if agent_id is None:
            matches = agents.get(agent, _NONE)
            if len(matches) == 1:
                agent_id = next(iter(matches))
            elif matches:
                message = gettext(
                    "%(count)s agents match '%(value)s'; name the agent by employee number or "
                    "sub-account."
                )
                errors.append(
                    RowError(
                        number, labels["agent"], message % {"count": len(matches), "value": agent}
                    )
                )
                continue
            elif day is None:
                continue  # perhaps a sub-account: the date's error is reported, fix that first
            else:
                message = gettext(
                    "Unknown agent '%(value)s': not an agent id, employee number or name, nor a "
                    "sub-account of the shop in use that date."
                )
                errors.append(RowError(number, labels["agent"], message % {"value": agent}))
                continue
        if shop_id is None and shop is None:
            message = gettext(
                "Name the shop, or name the agent by a sub-account registered to the shop."
            )
            errors.append(RowError(number, labels["shop"], message))
            continue
        cleaned["agent_id"], cleaned["shop_id"] = agent_id, shop_id
        if shop_id is not None and agent not in sub_accounts:  # not a shop refused above
            resolved[agent, shop] = (agent_id, shop_id)
    return errors


def fill_shifts_from_roster(rows: Rows, *, labels: dict[str, str]) -> list[RowError]:
    """Give the rows without a shift the roster's shift of their agent that date."""
    wanted = {
        (cleaned["agent_id"], day)
        for _, cleaned in rows
        if "shift" in cleaned
        and cleaned["shift"] is None
        and cleaned.get("agent_id")
        and (day := _day(cleaned))
    }
    shifts = roster_shifts(agent_days=wanted)
    errors = []
    for number, cleaned in rows:
        day = _day(cleaned)
        key = (cleaned.get("agent_id"), day)
        if cleaned.get("shift", "") is not None or key not in wanted:
            continue  # the row names its shift, or its error is reported already
        shift = shifts.get(key)
        if shift is None:
            message = gettext(
                "The roster gives '%(agent)s' no shift on %(date)s; add the shift to the row."
            )
            errors.append(
                RowError(
                    number,
                    labels["shift"],
                    message % {"agent": cleaned["agent"], "date": day.isoformat()},
                )
            )
        else:
            cleaned["shift"] = shift
    return errors
