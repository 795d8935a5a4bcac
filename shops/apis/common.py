"""Pieces shared by the shops app's API views: permissions, month fields, id filters."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers

from agency.access import is_manager
from billing.calculations import parse_month


class ManagersCreate(permissions.BasePermission):
    """Signed-in users read (within their rights) and edit what the services allow them to;
    only managers create. Methods a resource refuses still answer 405, not 403."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method != "POST" or is_manager(request.user)


def id_filter(field_name: str) -> filters.NumberFilter:
    return extend_schema_field(OpenApiTypes.INT)(filters.NumberFilter(field_name=field_name))


MONTH_SCHEMA = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-10"}


@extend_schema_field(MONTH_SCHEMA)
class MonthField(serializers.Field):
    """A calendar month as "YYYY-MM", stored as the date of its first day."""

    default_error_messages = {"invalid": "{message}"}

    def to_internal_value(self, data: Any) -> dt.date:
        try:
            return parse_month(data)
        except ValueError as exc:
            self.fail("invalid", message=str(exc))

    def to_representation(self, value: dt.date) -> str:
        return f"{value:%Y-%m}"


class MonthFormField(forms.CharField):
    def clean(self, value: Any) -> dt.date | None:
        value = super().clean(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


@extend_schema_field(MONTH_SCHEMA)
class MonthFilter(filters.Filter):
    field_class = MonthFormField


def refuse_fields(data: Any, fields: dict[str, str]) -> None:
    """Answer 400 naming each field of ``fields`` present in a request body."""
    if isinstance(data, Mapping):
        refused = {field: [message] for field, message in fields.items() if field in data}
        if refused:
            raise serializers.ValidationError(refused)
