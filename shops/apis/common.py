"""Pieces shared by the shops app's API views: permissions, month fields, id filters."""

from collections.abc import Mapping
from typing import Any

from rest_framework import permissions, serializers

from agency.access import is_manager


class ManagersCreate(permissions.BasePermission):
    """Signed-in users read (within their rights) and edit what the services allow them to;
    only managers create. Methods a resource refuses still answer 405, not 403."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method != "POST" or is_manager(request.user)


def refuse_fields(data: Any, fields: dict[str, str]) -> None:
    """Answer 400 naming each field of ``fields`` present in a request body."""
    if isinstance(data, Mapping):
        refused = {field: [message] for field, message in fields.items() if field in data}
        if refused:
            raise serializers.ValidationError(refused)
