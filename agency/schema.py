"""How the API schema describes the agency's API beyond what drf-spectacular infers.

* The authentication classes (``agency.authentication``) as the knox token and the session
  cookie they extend. Loaded by ``AgencyConfig.ready``.
* ``AutoSchema`` (``DEFAULT_SCHEMA_CLASS``): every operation marked ``@idempotent``
  (``agency.idempotency``) documents the ``Idempotency-Key`` header and its answers (400 for a
  malformed key, 409 while the key's first request runs, 422 for a key used for another
  request), so that the views keep one decorator line each; a throttled view documents 429.
* ``document_error_responses`` (``POSTPROCESSING_HOOKS``): every operation documents the errors
  it can answer, in the one error body of ``agency.api.exception_handler``.
"""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from agency.api import ID_SCHEMA, Pagination
from agency.input_rules import serializer_field_is_multi_line
from agency.months import MONTH_PATTERN


class AgencyTokenScheme(KnoxTokenScheme):
    target_class = "agency.authentication.TokenAuthentication"


class AgencySessionScheme(SessionScheme):
    target_class = "agency.authentication.SessionAuthentication"


_DETAIL = {"$ref": "#/components/schemas/Error"}
_FIELD_ERRORS = {"$ref": "#/components/schemas/BadRequest"}
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


# The characters agency.input_rules refuses in text: C0 and C1 controls, DEL, the line and
# paragraph separators, bidirectional overrides; a multi-line field keeps tab, LF and CR.
_CONTROLS = r"\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069"


def text_pattern(*, multi_line: bool) -> str:
    """The non-empty strings a text field takes (``agency.input_rules``); a field that may be
    blank says so in a branch of its own (drf-spectacular's ``oneOf``), which must not overlap."""
    if multi_line:
        return rf"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f{_CONTROLS}]+$"
    return rf"^[^\u0000-\u001f{_CONTROLS}]+$"


def decimal_pattern(field: serializers.DecimalField) -> str:
    """The strings a DRF decimal field takes: at least one digit (drf-spectacular's own pattern
    lets "", "-" and "." through), a minus sign only where negative amounts are allowed, and
    an empty string (read as null) where null is."""
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    whole, places = field.max_whole_digits, field.decimal_places
    number = rf"{sign}(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})"
    if places == 0:
        number = rf"{sign}\d{{1,{whole}}}"
    return rf"^(?:{number})?$" if field.allow_null else rf"^{number}$"


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
                pattern=r"^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$",
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

    def _map_serializer_field(self, field, direction, bypass_extensions=False) -> dict:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and "pattern" in schema:
            schema["pattern"] = decimal_pattern(field)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and not {"pattern", "format", "enum"} & set(schema)
        ):
            schema["pattern"] = text_pattern(multi_line=serializer_field_is_multi_line(field))
        return schema

    def _get_response_bodies(self, direction="response") -> dict:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        if self.view.get_throttles():
            responses.setdefault(
                "429",
                {
                    "content": {"application/json": {"schema": _DETAIL}},
                    "description": "Too many requests: wait as Retry-After says.",
                },
            )
        if not self._is_idempotent():
            return responses
        for code, (schema, description) in _IDEMPOTENCY_ANSWERS.items():
            responses.setdefault(
                code,
                {"content": {"application/json": {"schema": schema}}, "description": description},
            )
        return responses


# One body for every error answer (agency.api.exception_handler, agency.views, the middleware):
# ``{"detail": "..."}``, with the refused fields by name on a 400 (``{"field": ["..."]}``, nested
# for nested fields, a list of them for a list body) and the refused rows of a multi-row write
# (``errors``, agency.errors.RowErrors).
ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: `detail` says what happened.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
BAD_REQUEST_SCHEMA = {
    "anyOf": [
        {
            "type": "object",
            "description": "`detail`, or the refused fields by name with their messages "
            '(`{"field": ["message"]}`); a multi-row write lists its refused rows in `errors`.',
            "properties": {
                "detail": {"type": "string"},
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "row": {"type": "integer", "nullable": True},
                            "field": {"type": "string", "nullable": True},
                            "message": {"type": "string"},
                        },
                    },
                },
            },
            "additionalProperties": True,
        },
        {
            "type": "array",
            "description": "A list body: the errors of each item, in order.",
            "items": {"type": "object"},
        },
    ]
}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_BAD_REQUEST_REF = {"$ref": "#/components/schemas/BadRequest"}
_WRITES = {"post", "put", "patch", "delete"}
_ERROR_DESCRIPTIONS = {
    "400": "Bad input: the refused fields (query parameters, body fields, headers) by name, "
    "each with the reason.",
    "401": "No credentials, or an unknown, expired or ended token.",
    "403": "The account's role may not do this (managers only, nothing about money for "
    "agents, agents read only), or a session without its CSRF token.",
    "404": "No such object, or one outside the caller's rights; on a list, a page past the "
    "last one.",
    "409": "The object's state forbids this (a state conflict), or the change conflicts with "
    "data saved meanwhile.",
    "413": "The body is over the size limit.",
    "415": "The body's content type is not one this operation reads.",
}


def _error_codes(operation: dict, method: str) -> list[str]:
    """The error statuses ``operation`` can answer, by what it takes and who may call it."""
    parameters = operation.get("parameters", [])
    locations = {parameter["in"] for parameter in parameters}
    names = {parameter["name"] for parameter in parameters}
    body = "requestBody" in operation
    signed_in = any(requirement for requirement in operation.get("security", [{}]))
    codes = []
    if body or locations & {"query", "header", "path"}:  # a path id past 64 bits: 400
        codes.append("400")
    if signed_in:
        codes += ["401", "403"]
    if "path" in locations or "page" in names:
        codes.append("404")
    if method in _WRITES and signed_in:
        codes.append("409")
    if method in _WRITES:
        codes.append("413")
    if body:
        codes.append("415")
    return codes


def _state_the_parameter_rules(parameter: dict) -> None:
    """A month is YYYY-MM; an id in the path is a 64-bit row id; pages count from 1 and hold 1
    to 500 rows (agency.api.Pagination), wherever the parameter is declared; a text query
    parameter has a value without control characters."""
    schema = parameter.get("schema", {})
    name = parameter["name"]
    if name == "month" and schema.get("type") == "string":
        schema["pattern"] = MONTH_PATTERN
    if parameter["in"] == "query" and schema.get("type") == "string":
        # A value, never an empty one (agency.middleware.ApiEmptyQueryValueMiddleware); text
        # without control characters, as the filters' form fields take it.
        schema.setdefault("minLength", 1)
        if not {"pattern", "format", "enum"} & set(schema):
            schema["pattern"] = text_pattern(multi_line=False)
    if parameter["in"] == "path" and schema.get("type") == "integer":
        # An id in the path is a 64-bit row id (``<int:...>`` takes digits only).
        schema["minimum"], schema["maximum"] = 0, ID_SCHEMA["maximum"]
    if parameter["in"] == "query" and name in {"page", "page_size"}:
        schema["minimum"] = 1
        if name == "page_size":
            schema["maximum"] = Pagination.max_page_size


def document_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook (``SPECTACULAR_SETTINGS``): every operation documents
    the errors it can answer (400, 401, 403, 404, 409, 413, 415; 429 on throttled ones), all in
    one body shape (``Error``; ``BadRequest`` for 400), so that a client, and the adversarial
    tests (tests/api/test_schema_fuzz.py), find every status the API answers in the schema."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["BadRequest"] = BAD_REQUEST_SCHEMA
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                _state_the_parameter_rules(parameter)
            responses = operation.setdefault("responses", {})
            codes = _error_codes(operation, method)
            for code in codes:
                response = responses.setdefault(code, {"description": _ERROR_DESCRIPTIONS[code]})
                if not response.get("description"):
                    response["description"] = _ERROR_DESCRIPTIONS[code]
            for code, response in responses.items():
                if code.startswith("4"):
                    # One body shape for every error; any 400 may name any refused field (a
                    # query parameter, a header, an empty value).
                    schema = _BAD_REQUEST_REF if code == "400" else _ERROR_REF
                    response["content"] = {"application/json": {"schema": schema}}
    for component in schemas.values():
        for choice in component.get("oneOf", []):
            if choice.get("type") == "array":
                # A body of one object or a list of them: the list has at least one.
                choice.setdefault("minItems", 1)
    _state_the_input_rules(result)
    return result


# Dates and date-times lie in the years 2000-2100 (agency.input_rules): the schema says so.
_YEARS = r"(?:20\d{2}|2100)"
_DATE_PATTERNS = {
    "date": rf"^{_YEARS}-\d{{2}}-\d{{2}}$",
    "date-time": rf"^{_YEARS}-\d{{2}}-\d{{2}}T",
}


def _state_the_input_rules(node) -> None:
    """Patterns for what the API refuses beyond a format: the years of a date."""
    if isinstance(node, list):
        for item in node:
            _state_the_input_rules(item)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("format") if isinstance(node.get("format"), str) else None
    if node.get("type") == "string" and "pattern" not in node and kind in _DATE_PATTERNS:
        node["pattern"] = _DATE_PATTERNS[kind]
    for value in node.values():
        _state_the_input_rules(value)
