"""API plumbing shared by every app: pagination, errors, permissions, lean lists."""

import datetime as dt
import decimal
from collections.abc import Callable, Iterable
from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page, Paginator
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from agency.access import is_agent, is_manager
from agency.errors import ApplicationError
from agency.input_rules import forbidden_character, text_error_message


class _Page(Page):
    def __iter__(self):
        # Django's Page iterates as a Sequence, one __getitem__ (and its type checks) per row:
        # a few % of a 500-row page. The same rows, from the list it keeps.
        if not isinstance(self.object_list, list):
            self.object_list = list(self.object_list)
        return iter(self.object_list)


class _Paginator(Paginator):
    def _get_page(self, *args, **kwargs) -> Page:
        return _Page(*args, **kwargs)


class Pagination(PageNumberPagination):
    """``?page=`` from 1, ``?page_size=`` from 1 to 500 (API.md): anything else is a 400 naming
    the parameter, never a page the client did not ask for. A page past the last one is a 404."""

    django_paginator_class = _Paginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def _bounded(self, request, name: str, maximum: int | None) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        value = int(raw) if raw.isascii() and raw.isdigit() else 0
        if value < 1 or (maximum is not None and value > maximum):
            if maximum is None:
                message = gettext("A whole number from 1.")
            else:
                message = gettext("A whole number from 1 to %(maximum)s.") % {"maximum": maximum}
            raise exceptions.ValidationError({name: [message]})
        return value

    def get_page_size(self, request) -> int:
        size = self._bounded(request, self.page_size_query_param, self.max_page_size)
        return size or self.page_size

    def get_page_number(self, request, paginator) -> int:
        return self._bounded(request, self.page_query_param, None) or 1

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


_BOOLEANS = frozenset({"true", "false", "True", "False", "1", "0"})


class FilterBackend(filters.DjangoFilterBackend):
    """The query filters of every list (``DEFAULT_FILTER_BACKENDS``), refusing what the schema
    refuses before django-filter reads them (it would ignore or strip them): a control
    character, an id that is not a whole number, a boolean that is not ``true`` or ``false``.
    Each is a 400 naming the parameter (an empty value is refused earlier, by
    ``agency.middleware.ApiEmptyQueryValueMiddleware``)."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            errors = filter_value_errors(request.query_params, filterset.filters)
            if errors:
                raise exceptions.ValidationError(errors)
        return filterset


def filter_value_errors(params, declared: dict) -> dict[str, list[str]]:
    """Messages by parameter for the values in ``params`` that ``declared`` filters refuse."""
    errors: dict[str, list[str]] = {}
    for name, declared_filter in declared.items():
        for value in params.getlist(name):
            number = isinstance(declared_filter, django_filters.NumberFilter)
            boolean = isinstance(declared_filter, django_filters.BooleanFilter)
            character = forbidden_character(value)
            if character is not None:
                # Before the form field strips a leading or trailing tab away.
                errors[name] = [text_error_message(character, multi_line=False)]
            elif number and not _is_whole(value):
                errors[name] = [gettext("An id: a whole number of at most 64 bits.")]
            elif boolean and value not in _BOOLEANS:
                errors[name] = [gettext("Either true or false.")]
    return errors


def _is_whole(value: str) -> bool:
    """A whole number that fits an id (64 bits)."""
    digits = value.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        return False
    return ID_SCHEMA["minimum"] <= int(value) <= ID_SCHEMA["maximum"]


# Ids are 64-bit: a larger number is a 400 (agency.api.exception_handler), so the schema says so.
ID_SCHEMA = {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}


# --- Lean lists -------------------------------------------------------------------------------
# The busiest lists (shops, invoices, workloads) read their page as ``.values()`` rows and write
# each row's JSON with plain functions instead of model instances and DRF fields, which cost
# most of such a request. Their serializer stays the view's ``serializer_class``: it is the
# contract (the OpenAPI schema is built from it), and tests hold the lean rows equal to its
# output field for field (tests/api/test_lean_lists.py). The helpers below write values
# exactly as the DRF fields of those serializers do.


class LeanListMixin:
    """``list()`` of a ``ListAPIView`` from rows: the view's filters and pagination, then
    ``lean_rows(queryset)`` (a ``.values()`` queryset of the filtered one) for the page and
    ``lean_data(rows)`` for its JSON; nothing else of the view's reads changes."""

    def lean_rows(self, queryset):  # pragma: no cover - each view says which rows
        raise NotImplementedError

    def lean_data(self, rows: list[dict]) -> list[dict]:  # pragma: no cover
        raise NotImplementedError

    def filter_queryset(self, queryset):
        # django-filter builds and validates a form of every filter on each request (a good
        # part of a small page's time); when the query names nothing but the page, no filter
        # has a value and that form would change nothing, so it is not built. Other backends
        # run as ever.
        paginator = self.paginator
        not_filters = {
            getattr(paginator, "page_query_param", None),
            getattr(paginator, "page_size_query_param", None),
            api_settings.URL_FORMAT_OVERRIDE,
        }
        filtering = not set(self.request.query_params) <= not_filters
        for backend in self.filter_backends:
            if filtering or not issubclass(backend, DjangoFilterBackend):
                queryset = backend().filter_queryset(self.request, queryset, self)
        return queryset

    def list(self, request, *args, **kwargs) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        rows = self.lean_rows(queryset)
        page = self.paginate_queryset(_CountedRows(queryset, rows))
        if page is not None:
            return self.get_paginated_response(self.lean_data(page))
        return Response(self.lean_data(list(rows)))


class _CountedRows:
    """What a lean list pages through: its rows, counted on the filtered queryset they are read
    from, whose count needs none of the joins the rows do (a shop's owner, an invoice's shop:
    required foreign keys, so the counts are equal)."""

    def __init__(self, queryset, rows) -> None:
        self.queryset, self.rows = queryset, rows
        self.ordered = rows.ordered

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index):
        return self.rows[index]


def decimal_text(max_digits: int, decimal_places: int) -> Callable[[Any], str | None]:
    """A decimal as DRF's ``DecimalField(max_digits, decimal_places)`` writes it (a string,
    ``COERCE_DECIMAL_TO_STRING``); None stays None."""
    exponent = decimal.Decimal(1).scaleb(-decimal_places)
    # DRF copies the thread's context with the field's precision; its rounding is the default.
    context = decimal.Context(prec=max_digits, rounding=decimal.ROUND_HALF_EVEN)

    def text(value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, decimal.Decimal):
            value = decimal.Decimal(str(value).strip())
        return f"{value.quantize(exponent, context=context):f}"

    return text


def date_text(value: dt.date | None) -> str | None:
    """A date as DRF writes it: ISO 8601."""
    return None if value is None else value.isoformat()


def datetime_text(value: dt.datetime | None, zone: dt.tzinfo | None = None) -> str | None:
    """A moment as DRF writes it: ISO 8601 in the current time zone (``zone``: that zone, read
    once for many values), ``Z`` for UTC."""
    if not value:
        return None
    text = value.astimezone(zone or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def rows_by(rows: Iterable[dict], key: str) -> dict[Any, list[dict]]:
    """Rows grouped by ``row[key]``, each group in the rows' order."""
    groups: dict[Any, list[dict]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return groups


def id_filter(field_name: str) -> filters.NumberFilter:
    """An id filter documented as an integer. A plain number, not a choice: an id outside the
    caller's rights gives an empty list, exactly like an id that does not exist."""
    return extend_schema_field(ID_SCHEMA)(filters.NumberFilter(field_name=field_name))


class IsManager(permissions.BasePermission):
    """Agency managers: active staff users."""

    def has_permission(self, request, view) -> bool:
        return is_manager(request.user)


class ManagerWritesOnly(permissions.BasePermission):
    """Everybody signed in may read (within their rights); only managers write."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or is_manager(request.user)


class NotForAgents(permissions.BasePermission):
    """Everything about money (invoices, turnover, billing, revenue) is refused to agents' accounts
    with a 403, before any lookup: an agent serves shops, it never reads what they pay or earn."""

    message = gettext_lazy("Agents' accounts see nothing about money.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) and not is_agent(request.user)


class AgentsReadOnly(permissions.BasePermission):
    """Agents' accounts read the shops they serve and change nothing of them here (403)."""

    message = gettext_lazy("Agents' accounts may read this, not change it.")

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or not is_agent(request.user)


def validation_error_detail(error: DjangoValidationError) -> dict[str, Any]:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"detail": " ".join(error.messages)}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Turn service errors into 400/409 responses; nothing a client sends may end in a 500."""
    if isinstance(exc, DjangoValidationError):
        return Response(validation_error_detail(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ApplicationError):
        return Response({"detail": exc.message, **exc.extra}, status=exc.status_code)
    if isinstance(exc, IntegrityError):
        # The services check every rule first; this is the database's last word on a race.
        return Response(
            {"detail": gettext("The change conflicts with existing data; reload and try again.")},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, OverflowError | DataError):
        # A number or text the database cannot hold (an id past 64 bits, say): bad input.
        return Response(
            {"detail": gettext("A value is out of range for this field.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)
