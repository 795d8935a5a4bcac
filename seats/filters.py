"""Query-parameter filters of the seats API (django-filter); invalid values answer 400."""

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field

from agency import clock
from agency.api import ID_SCHEMA, id_filter
from agency.choices import Shift
from seats.models import Agent, HandoverNote, SeatAssignment, SubAccount, WorkloadRecord
from seats.selectors import sub_accounts_to_revoke, workloads_on_seat


class AgentFilter(django_filters.FilterSet):
    class Meta:
        model = Agent
        fields = ["status"]


# Ids are filtered as plain numbers: a choice filter would answer 400 for an id that does not
# exist and 200 for one outside the caller's rights, telling owners which ids exist.


class SeatAssignmentFilter(django_filters.FilterSet):
    seat = id_filter("seat_id")
    agent = id_filter("agent_id")
    shift = django_filters.ChoiceFilter(choices=Shift.choices)
    active_on = django_filters.DateFilter(method="filter_active_on", label="Active on (date)")

    class Meta:
        model = SeatAssignment
        fields = ["seat", "agent", "shift", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class WorkloadFilter(django_filters.FilterSet):
    agent = id_filter("agent_id")
    shop = id_filter("shop_id")
    shift = django_filters.ChoiceFilter(choices=Shift.choices)
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    seat = extend_schema_field(ID_SCHEMA)(
        django_filters.NumberFilter(
            method="filter_seat", label="Seat (work of the agents assigned to it on each date)"
        )
    )

    class Meta:
        model = WorkloadRecord
        fields = ["agent", "shop", "seat", "date_from", "date_to", "shift"]

    def filter_seat(self, queryset, name, value):
        return workloads_on_seat(queryset, int(value))


class HandoverNoteFilter(django_filters.FilterSet):
    seat = id_filter("seat_id")
    shop = id_filter("shop_id")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    acknowledged = django_filters.BooleanFilter(method="filter_acknowledged")

    class Meta:
        model = HandoverNote
        fields = ["seat", "shop", "date", "date_from", "date_to", "acknowledged"]

    def filter_acknowledged(self, queryset, name, value):
        return queryset.filter(~Q(acknowledged_at=None) if value else Q(acknowledged_at=None))


class SubAccountFilter(django_filters.FilterSet):
    shop = id_filter("shop_id")
    agent = id_filter("agent_id")
    active = django_filters.BooleanFilter(
        field_name="revoked_on", lookup_expr="isnull", label="Not revoked"
    )
    to_revoke = django_filters.BooleanFilter(
        method="filter_to_revoke",
        label="Active, and the agent has left or the shop's last contract has ended",
    )

    class Meta:
        model = SubAccount
        fields = ["shop", "agent", "active", "to_revoke"]

    def filter_to_revoke(self, queryset, name, value):
        due = sub_accounts_to_revoke(today=clock.today()).values("pk")
        return queryset.filter(pk__in=due) if value else queryset.exclude(pk__in=due)
