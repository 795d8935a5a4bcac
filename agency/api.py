"""API plumbing shared by every app: pagination, errors, permissions."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from agency.access import is_agent, is_manager
from agency.errors import ApplicationError


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def id_filter(field_name: str) -> filters.NumberFilter:
    """An id filter documented as an integer. A plain number, not a choice: an id outside the
    caller's rights gives an empty list, exactly like an id that does not exist."""
    return extend_schema_field(OpenApiTypes.INT)(filters.NumberFilter(field_name=field_name))


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
