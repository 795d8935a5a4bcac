"""Generated requests against every operation of /api/schema/: the schema tells the truth.

Schemathesis reads the OpenAPI schema the app serves, generates at least 50 cases per operation,
valid ones (positive) and invalid ones (negative), and sends them in-process through the WSGI app
as a manager, as a shop owner and as an agent serving a shop. Every check schemathesis has runs
on every answer (docs/security.md, "Adversarial tests"): no 500; every status, content type,
header and body is documented; what the schema says is valid is accepted (or refused for a
reason the schema cannot state: see ``ACCEPTED_REFUSALS``), what it says is invalid is refused.
"""

import datetime as dt

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from knox.models import AuthToken

from tests.factories import (
    AgentFactory,
    ContractFactory,
    ManagerFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
    UserFactory,
)

EXAMPLES_PER_OPERATION = 50

# A valid request may still be refused by the state of the data or by the caller's rights; the
# schema cannot say which ids exist, whose they are or what state they are in (docs/security.md):
# 401 (credentials on /auth/token/ are well formed yet wrong), 403 (a role-only operation),
# 404 (an id that does not exist or is outside the caller's rights), 409 (a state conflict: pay a
# draft, confirm a confirmed report) and 422 (a business rule the schema cannot state). Never
# 400 or 5xx.
ACCEPTED_REFUSALS = ["2xx", "401", "403", "404", "409", "422"]

# Operations that refuse some valid requests with a 400 (API.md: bad input is a 400 naming the
# field), each for a rule the schema cannot state; listed with the rule in docs/security.md
# ("Adversarial tests"). Nowhere else is a 400 accepted for a valid request.
_IDS_EXIST = "an id in the body names an object that exists (and that the caller may use)"
OPERATION_REFUSALS = {
    "POST /api/v1/auth/token/": "well-formed credentials that are wrong; 429 after 30 a minute",
    "POST /api/v1/billing/runs/": "a month that has not started (API.md, Time)",
    "POST /api/v1/payroll/runs/": "a month that has not started",
    "POST /api/v1/turnover-reports/": "a month that has not ended (API.md, Time); " + _IDS_EXIST,
    "GET /api/v1/reports/receivables/": "as_of after today",
    "GET /api/v1/reports/receivables/export/": "as_of after today",
    "GET /api/v1/roster/": "date_to before date_from, or more than 62 days",
    "GET /api/v1/shops/{id}/workloads/export/": "date_to before date_from",
    "PATCH /api/v1/shops/{id}/": "an owner changes the briefing only (other fields named)",
    "POST /api/v1/bank-statements/": "the file's rows (encoding, columns, amounts)",
    "POST /api/v1/workloads/bulk/": "the rows: ids, dates not in the future (API.md)",
    "POST /api/v1/pay-book/": "the weights add up to 100; gold above silver above bronze",
    "POST /api/v1/contracts/": "the plan's rules (shift, end date); " + _IDS_EXIST,
    "PATCH /api/v1/contracts/{id}/": "the plan's rules (shift, end date); " + _IDS_EXIST,
    "POST /api/v1/cover-assignments/": "the agent is free on every date (API.md); " + _IDS_EXIST,
    "POST /api/v1/seat-assignments/": "no overlap with the seat's shift; " + _IDS_EXIST,
    "POST /api/v1/handover-notes/": _IDS_EXIST,
    "POST /api/v1/leave/": _IDS_EXIST,
    "POST /api/v1/quality-reviews/": _IDS_EXIST,
    "POST /api/v1/sub-accounts/": _IDS_EXIST,
    "POST /api/v1/shops/": "the owner's username exists",
    "POST /api/v1/webhooks/": "a public http(s) address and known event names",
    "GET /api/v1/scorecards/": "a month that has started",
    "POST /api/v1/payments/": "the amount and date are read by the service (not future, balance)",
    "POST /api/v1/qa-items/": "a weight of 1-100 (none given: 0, refused)",
    "PATCH /api/v1/qa-items/{id}/": "a built-in item's name is the system's",
    "POST /api/v1/dsr-ratings/": "the shop of each rating exists (row errors, all or none)",
    "POST /api/v1/seats/": "a code not used by another seat",
    "POST /api/v1/agents/": "an employee number not used by another agent",
    "POST /api/v1/users/": "a username not taken; an email when no password is given",
    "POST /api/v1/agents/{id}/deactivate/": "a last day not in the future nor before the hire",
    "GET /api/v1/shops/{id}/statement/": "a period that has begun, of at most 3 years",
    "GET /api/v1/shops/{id}/statement/pdf/": "a period that has begun, of at most 3 years",
    "GET /api/v1/shops/{id}/statement/xlsx/": "a period that has begun, of at most 3 years",
}
# 429: the token endpoint's throttle, per address.
_EXTRA_STATUSES = {"POST /api/v1/auth/token/": ["400", "429"]}


def _refusals(statuses: list[str]) -> dict:
    return {"checks": {"positive_data_acceptance": {"expected-statuses": statuses}}}


CONFIG = schemathesis.Config.from_dict(
    {
        **_refusals(ACCEPTED_REFUSALS),
        "operations": [
            {
                "include-name": name,
                **_refusals(ACCEPTED_REFUSALS + _EXTRA_STATUSES.get(name, ["400"])),
            }
            for name in OPERATION_REFUSALS
        ],
        # Examples and generated cases (positive and negative); the coverage phase's hundreds of
        # boundary cases per operation would take the run past CI's budget.
        "phases": {"coverage": {"enabled": False}},
    }
)

# Loaded once, at collection: the schema is generated from code, no database is involved.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)


@pytest.fixture
def in_one_transaction(db):
    """Requests reach the WSGI app directly, not through Django's test client: keep Django from
    closing the test's database connection (and its transaction) after each one, as the test
    client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(in_one_transaction):
    """A manager, an owner with a shop on a seat, and the account of that seat's day agent, who
    serves the owner's shop on any date from 2026 on."""
    manager = ManagerFactory(username="fuzz-manager")
    owner = UserFactory(username="fuzz-owner")
    seat = SeatFactory()
    agent_user = UserFactory(username="fuzz-agent")
    SeatAssignmentFactory(
        seat=seat, agent=AgentFactory(user=agent_user), start_date=dt.date(2026, 1, 1)
    )
    ContractFactory(shop=ShopFactory(owner=owner, name="店铺 A"), seat=seat)
    ShopFactory(owner=UserFactory(username="fuzz-other"), name="Other shop")
    return {
        role: AuthToken.objects.create(user)[1]
        for role, user in (("manager", manager), ("owner", owner), ("agent", agent_user))
    }


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    # No shrinking: a failure is reported as found, and the run stays bounded.
    phases=[Phase.explicit, Phase.generate],
)


@pytest.mark.fuzz
@pytest.mark.parametrize("role", ["manager", "owner", "agent"])
@schema.parametrize()
@FUZZ_SETTINGS
def test_the_schema_tells_the_truth(case, role, tokens):
    case.call_and_validate(headers={"Authorization": f"Token {tokens[role]}"})
