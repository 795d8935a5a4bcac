"""The empty workload file a manager downloads to fill in: CSV or XLSX, headers in their
language (Chinese under zh-hans, the field names otherwise)."""

import csv
import io

from django.utils.translation import get_language, gettext

from seats.services.workloads.columns import TEMPLATE_HEADERS

TEMPLATE_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def template_headers(language: str | None = None) -> tuple[str, ...]:
    language = (language or get_language() or "en").lower()
    return TEMPLATE_HEADERS["zh" if language.startswith("zh") else "en"]


def workload_template(*, file_format: str, language: str | None = None) -> bytes:
    """The header row alone, as ``file_format`` (``csv``, UTF-8 with a BOM so that Excel reads
    the Chinese headers, or ``xlsx``). Raises ``ValueError`` for another format."""
    headers = template_headers(language)
    if file_format == "csv":
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerow(headers)
        return ("\ufeff" + text.getvalue()).encode("utf-8")
    if file_format == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = gettext("Workloads")
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            sheet.column_dimensions[cell.column_letter].width = max(12, len(cell.value) * 2)
        sheet.freeze_panes = "A2"
        output = io.BytesIO()
        workbook.save(output)
        return output.getvalue()
    raise ValueError(file_format)
