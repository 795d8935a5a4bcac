"""What every file export's API view shares: ``?format=csv|xlsx``, the reader's language, and
errors as JSON whatever the client accepts.

A file download bypasses DRF's renderers, so content negotiation must not answer 406 to a client
asking for ``text/csv``: ``FirstRendererNegotiation`` keeps JSON for DRF's own answers (errors).
The file speaks the request's language: ``Accept-Language`` or the language switch's cookie
(``LocaleMiddleware``), else the signed-in account's language (a token carries no cookie).
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import check_for_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request

from agency.exports import CONTENT_TYPES, ExportFormat
from agency.renderers import JSONRenderer


class FirstRendererNegotiation(BaseContentNegotiation):
    """Always JSON for DRF's own responses: the files themselves bypass renderers."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportFormatSerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=[(item.value, item.value) for item in ExportFormat],
        default=ExportFormat.CSV.value,
        required=False,
        help_text="csv (UTF-8 with BOM, the default) or xlsx (Excel).",
        error_messages={"invalid_choice": _('"{input}" is not a file format: use csv or xlsx.')},
    )


def export_format(request: Request) -> ExportFormat:
    """The ``?format=`` asked for (csv when none); anything else is a 400 naming the field."""
    query = ExportFormatSerializer(data={"format": request.query_params.get("format", "csv")})
    query.is_valid(raise_exception=True)
    return ExportFormat(query.validated_data["format"])


def speak_the_readers_language(request: Request) -> None:
    """Activate the signed-in account's language when the request named none itself."""
    if "HTTP_ACCEPT_LANGUAGE" in request.META or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    chosen = getattr(request.user, "language", "") if request.user.is_authenticated else ""
    if chosen and check_for_language(chosen):
        translation.activate(chosen)


class FileExportMixin:
    """For an ``APIView`` answering with a CSV or XLSX file."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRendererNegotiation

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        speak_the_readers_language(request)


def file_responses(description: str) -> dict:
    """The 200 answers of an export for the schema: the same table as CSV or XLSX."""
    return {
        (200, CONTENT_TYPES[ExportFormat.CSV].split(";")[0]): OpenApiResponse(
            OpenApiTypes.BINARY, description=f"{description} CSV: UTF-8 with BOM, CRLF."
        ),
        (200, CONTENT_TYPES[ExportFormat.XLSX]): OpenApiResponse(
            OpenApiTypes.BINARY, description=f"{description} XLSX (with ?format=xlsx)."
        ),
    }
