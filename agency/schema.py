"""How the API schema describes the agency's API beyond what drf-spectacular infers.

* The authentication classes (``agency.authentication``) as the knox token and the session
  cookie they extend. Loaded by ``AgencyConfig.ready``.
* ``AutoSchema`` (``DEFAULT_SCHEMA_CLASS``): every operation marked ``@idempotent``
  (``agency.idempotency``) documents the ``Idempotency-Key`` header and its answers (400 for a
  malformed key, 409 while the key's first request runs, 422 for a key used for another
  request), so that the views keep one decorator line each.
"""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter


class AgencyTokenScheme(KnoxTokenScheme):
    target_class = "agency.authentication.TokenAuthentication"


class AgencySessionScheme(SessionScheme):
    target_class = "agency.authentication.SessionAuthentication"


_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
_IDEMPOTENCY_ANSWERS = {
    "400": (
        _FIELD_ERRORS,
        "A field is refused, named in the answer; a malformed Idempotency-Key names the header.",
    ),
    "409": (_DETAIL, "A request with this Idempotency-Key is still being processed."),
    "422": (
        _DETAIL,
        "This Idempotency-Key was used (within 24 hours) for another request: another body or "
        "path.",
    ),
}


class AutoSchema(SpectacularAutoSchema):
    def _is_idempotent(self) -> bool:
        handler = getattr(self.view, self.method.lower(), None)
        return bool(getattr(handler, "idempotent", False))

    def get_override_parameters(self) -> list:
        parameters = list(super().get_override_parameters())
        if not self._is_idempotent():
            return parameters
        return [
            *parameters,
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Optional; 1-255 printable ASCII characters, e.g. a UUID. Sending "
                "the same key and body again within 24 hours answers the first request's "
                "status and body (with Idempotent-Replayed: true) without acting again. Keys "
                "are per user; only successful (2xx) answers are kept.",
            ),
            OpenApiParameter(
                "Idempotent-Replayed",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=["200", "201", "202"],
                enum=["true"],
                description="Present on an answer replayed for an Idempotency-Key.",
            ),
        ]

    def _get_response_bodies(self, direction="response") -> dict:
        responses = super()._get_response_bodies(direction)
        if direction != "response" or not self._is_idempotent():
            return responses
        for code, (schema, description) in _IDEMPOTENCY_ANSWERS.items():
            responses.setdefault(
                code,
                {"content": {"application/json": {"schema": schema}}, "description": description},
            )
        return responses
