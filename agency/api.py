"""API plumbing shared by every app: pagination, errors, permissions, lean lists."""

import datetime as dt
import decimal
import threading
from collections.abc import Callable, Hashable, Iterable
from typing import Any

import django_filters
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page, Paginator
from django.db import DataError, IntegrityError, connections
from django.db.models.query import ValuesIterable, ValuesListIterable
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
from agency.db import bound_cursor
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
        self.lean_unfiltered = not filtering and all(
            issubclass(backend, DjangoFilterBackend) for backend in self.filter_backends
        )
        for backend in self.filter_backends:
            if filtering or not issubclass(backend, DjangoFilterBackend):
                queryset = backend().filter_queryset(self.request, queryset, self)
        return queryset

    def lean_query_key(self) -> Hashable | None:
        """What decides the SQL of this request's count and rows (its page apart) when every
        request with the same key runs the same SQL: a manager's list (every row, whoever the
        manager) with no filter in the query, in the columns of its serializer. None otherwise:
        a caller whose rows depend on who they are (an owner's shops, an agent's), or filters."""
        if not getattr(self, "lean_unfiltered", False) or not is_manager(self.request.user):
            return None
        return (type(self), self.get_serializer_class())

    def list(self, request, *args, **kwargs) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        key = self.lean_query_key() if self.paginator is not None else None
        queries = _lean_queries(key, queryset.db) if key is not None else None
        counted = _CountedRows(queryset, lambda: self.lean_rows(queryset), queries)
        page = self.paginate_queryset(counted)
        if page is not None:
            return self.get_paginated_response(self.lean_data(page))
        return Response(self.lean_data(list(counted.rows())))


class _CountedRows:
    """What a lean list pages through: its rows, counted on the filtered queryset they are read
    from, whose count needs none of the joins the rows do (a shop's owner, an invoice's shop:
    required foreign keys, so the counts are equal). With ``queries`` (``_LeanQueries``), the
    count and each page run SQL compiled by an earlier request with the same key."""

    def __init__(self, queryset, rows: Callable[[], Any], queries: "_LeanQueries | None") -> None:
        self.queryset, self._rows, self.queries = queryset, rows, queries
        self._rows_queryset = None
        if queries is not None and queries.ordered is not None:
            self.ordered = queries.ordered
        else:
            self.ordered = self.rows().ordered
            if queries is not None:
                queries.ordered = self.ordered

    def rows(self):
        if self._rows_queryset is None:
            self._rows_queryset = self._rows()
        return self._rows_queryset

    def count(self) -> int:
        if self.queries is not None:
            return self.queries.count(self.queryset)
        return self.queryset.count()

    def __getitem__(self, index):
        if self.queries is not None and isinstance(index, slice):
            return self.queries.page(index, self.rows)
        return self.rows()[index]


# --- Compiled lean lists ------------------------------------------------------------------------
# Compiling a list's count and its page (Django building the SQL from the queryset, its joins and
# columns) costs about a third of a small page. When a request's queries are the same SQL as an
# earlier request's (``LeanListMixin.lean_query_key``), they run as that request compiled them:
# per thread (a compiler belongs to its thread's connection), and only SQL without parameters,
# so that nothing of one request's values can reach another's. The rows are converted as
# Django's ``values()`` / ``values_list()`` iterables convert them.

_compiled = threading.local()
LEAN_QUERIES_KEPT = 64
"""Lists (key and database) whose queries a thread keeps; it forgets them all past that."""


class _LeanQueries:
    """One list's count and pages compiled for one thread's connection."""

    PAGES_KEPT = 32  # (offset, limit) pairs per list

    def __init__(self, using: str) -> None:
        self.using = using
        self.ordered: bool | None = None
        self.count_sql: tuple[str, tuple] | None = None
        self.count_plain = True  # False: the count needs its parameters compiled each time
        self.pages: dict[tuple[int, int | None], _CompiledRows | None] = {}

    def count(self, queryset) -> int:
        if self.count_sql is not None:
            sql, params = self.count_sql
            with bound_cursor(self.using) as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()[0]
        if not self.count_plain:
            return queryset.count()
        statements: list[tuple[str, Any]] = []

        def record(execute, sql, params, many, context):
            statements.append((sql, params))
            return execute(sql, params, many, context)

        with connections[self.using].execute_wrapper(record):
            number = queryset.count()
        if len(statements) == 1 and not statements[0][1] and type(number) is int:
            self.count_sql = statements[0]
        else:
            self.count_plain = False
        return number

    def page(self, index: slice, rows: Callable[[], Any]) -> list:
        bounds = (index.start or 0, index.stop)
        if bounds not in self.pages:
            compiled = _CompiledRows.of(rows()[index])
            if compiled is None:
                if len(self.pages) < self.PAGES_KEPT:
                    self.pages[bounds] = None
                return list(rows()[index])
            if len(self.pages) < self.PAGES_KEPT:
                self.pages[bounds] = compiled
            return compiled.run()
        compiled = self.pages[bounds]
        return list(rows()[index]) if compiled is None else compiled.run()


class _CompiledRows:
    """A ``values()`` or ``values_list()`` queryset's SQL and the conversion of its rows."""

    @classmethod
    def of(cls, queryset, stand_ins: list | None = None) -> "_CompiledRows | None":
        """``queryset`` compiled, or None when it cannot be kept: other rows than values, no SQL
        at all (an empty page), SQL with parameters, or with others than exactly ``stand_ins``
        (values another call replaces with its own)."""
        if queryset._iterable_class not in (ValuesIterable, ValuesListIterable):
            return None
        query = queryset.query
        compiler = query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        if list(params) != (stand_ins or []) or not sql or compiler.has_composite_fields(fields):
            return None
        compiled = cls()
        compiled.using, compiled.sql, compiled.compiler = queryset.db, sql, compiler
        compiled.converters = compiler.get_converters(fields)
        compiled.width = compiler.col_count if compiler.has_extra_select else None
        compiled.names = None
        if queryset._iterable_class is ValuesIterable:
            if query.selected:
                compiled.names = list(query.selected)
            else:
                compiled.names = [
                    *query.extra_select,
                    *query.values_select,
                    *query.annotation_select,
                ]
        return compiled

    def run(self, params: tuple | list = ()) -> list:
        with bound_cursor(self.using) as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.width is not None:
            rows = [row[: self.width] for row in rows]
        if self.converters:
            rows = map(tuple, self.compiler.apply_converters(rows, self.converters))
        if self.names is None:
            return list(rows)
        names = self.names
        return [dict(zip(names, row, strict=True)) for row in rows]


class KeptRows:
    """The rows of ``build(ids)`` (a ``values()`` or ``values_list()`` queryset of the rows of
    those ids, say an invoice page's lines) from SQL compiled once per thread and number of ids:
    stand-in ids (negative, never a row's) are compiled, found again among the parameters, and
    each call's ids take their places. Ids that are not distinct whole numbers, or SQL that
    does not hold them exactly as given, are read by ``build`` as ever."""

    KEPT = 64  # numbers of ids per thread

    def __init__(self, build: Callable[[list[int]], Any]) -> None:
        self.build = build
        self.local = threading.local()

    def __call__(self, ids: list[int]) -> list:
        if not ids or len(set(ids)) != len(ids) or any(type(pk) is not int for pk in ids):
            return list(self.build(ids))
        kept = self.local.__dict__.setdefault("compiled", {})
        if len(ids) not in kept:
            stand_ins = [-1 - number for number in range(len(ids))]
            if len(kept) >= self.KEPT:
                kept.clear()
            kept[len(ids)] = _CompiledRows.of(self.build(stand_ins), stand_ins)
        compiled = kept[len(ids)]
        return list(self.build(ids)) if compiled is None else compiled.run(ids)


def _lean_queries(key: Hashable, using: str) -> _LeanQueries:
    """This thread's compiled queries of the list ``key`` on the database ``using``."""
    kept = _compiled.__dict__.setdefault("lists", {})
    queries = kept.get((key, using))
    if queries is None:
        if len(kept) >= LEAN_QUERIES_KEPT:
            kept.clear()
        queries = kept[(key, using)] = _LeanQueries(using)
    return queries


def decimal_text(max_digits: int, decimal_places: int) -> Callable[[Any], str | None]:
    """A decimal as DRF's ``DecimalField(max_digits, decimal_places)`` writes it (a string,
    ``COERCE_DECIMAL_TO_STRING``); None stays None."""
    exponent = decimal.Decimal(1).scaleb(-decimal_places)
    # DRF copies the thread's context with the field's precision; its rounding is the default.
    context = decimal.Context(prec=max_digits, rounding=decimal.ROUND_HALF_EVEN)

    def text(value: Any) -> str | None:
        if value is None:
            return None
        if type(value) is not decimal.Decimal and not isinstance(value, decimal.Decimal):
            value = decimal.Decimal(str(value).strip())
        return f"{value.quantize(exponent, context=context):f}"

    def short_text(value: Any) -> str | None:
        # A quantized decimal's exponent is -decimal_places, at least -6: ``str`` writes it
        # without an exponent, as ``:f`` does, in a third less time (lists write thousands).
        if value is None:
            return None
        if type(value) is not decimal.Decimal and not isinstance(value, decimal.Decimal):
            value = decimal.Decimal(str(value).strip())
        return str(value.quantize(exponent, context=context))

    return short_text if 0 <= decimal_places <= 6 else text


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
