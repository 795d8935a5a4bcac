"""``field__any=ids`` (agency/lookups.py): the rows of ``field__in``, many ids as one array."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from seats.models import Agent, SeatAssignment
from tests.factories import AgentFactory, SeatAssignmentFactory

pytestmark = pytest.mark.django_db


def test_any_finds_the_rows_in_finds_whatever_the_number_of_ids():
    agents = AgentFactory.create_batch(6)
    ids = [agent.pk for agent in agents]
    for wanted in ([], ids[:1], ids[1:4], ids, [*ids, 10**9], {ids[0], ids[5]}):
        found = set(Agent.objects.filter(pk__any=wanted).values_list("pk", flat=True))
        assert found == set(Agent.objects.filter(pk__in=list(wanted)).values_list("pk", flat=True))


def test_any_works_on_a_foreign_key_column():
    assignment = SeatAssignmentFactory()
    SeatAssignmentFactory()
    found = SeatAssignment.objects.filter(agent_id__any=[assignment.agent_id]).values_list(
        "pk", flat=True
    )
    assert list(found) == [assignment.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array parameter is PostgreSQL's")
def test_any_sends_one_parameter_and_the_same_statement_for_any_number_of_ids():
    ids = [agent.pk for agent in AgentFactory.create_batch(5)]
    statements = []
    for wanted in (ids[:1], ids, list(range(1, 300))):
        with CaptureQueriesContext(connection) as captured:
            list(Agent.objects.filter(pk__any=wanted).values_list("pk", flat=True))
        statements.append(captured[0]["sql"])
    assert all("= ANY(" in sql for sql in statements)
    # The ids travel as one array literal: the text before it is the same whatever their number.
    assert len({sql.split("= ANY(")[0] for sql in statements}) == 1
