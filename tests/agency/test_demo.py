"""`manage.py seed_demo`: a believable agency, and safe to run twice."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from agency.choices import Plan


def _counts() -> dict[str, int]:
    from billing.models import Invoice
    from seats.models import Agent, HandoverNote, Seat, SeatAssignment, WorkloadRecord
    from shops.models import Contract, DsrRating, Shop, TurnoverReport

    models = [
        Seat,
        Agent,
        SeatAssignment,
        Shop,
        Contract,
        WorkloadRecord,
        HandoverNote,
        DsrRating,
        TurnoverReport,
        Invoice,
    ]
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_seed_demo_builds_a_believable_agency_and_is_idempotent():
    from seats.calculations import load_band
    from seats.models import WorkloadRecord
    from shops.models import Contract

    call_command("seed_demo", stdout=io.StringIO())
    first = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first

    assert first["Seat"] == 10 and first["Agent"] == 20 and first["Shop"] == 25
    assert set(Contract.objects.values_list("plan", flat=True)) == set(Plan.values)
    days = WorkloadRecord.objects.aggregate(n=Count("date", distinct=True))["n"]
    assert days >= 59
    assert first["HandoverNote"] and first["DsrRating"] and first["TurnoverReport"]
    assert first["Invoice"] > 0
    bands = {
        load_band(row["total"])
        for row in WorkloadRecord.objects.values("agent", "date").annotate(total=Sum("inquiries"))
    }
    assert {"overloaded", "idle", "normal"} <= set(bands)
