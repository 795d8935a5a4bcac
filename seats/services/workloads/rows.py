"""Validation of one workload row: the values as exports write them, errors in the reader's
language naming the column as the file did.

Dates ``2026-11-27``, ``2026/11/27``, ``2026/1/5``, ``2026年11月27日`` or date cells; counts as
``1234`` or ``1,234``; amounts with ``¥``/``￥`` and thousands separators; the average first
response in seconds, decimals rounded half-up; the shift as ``day``/``night`` or 白班/晚班 (早班
and 夜班 too), empty to take it from the roster. The agent and the shop stay text here: they are
resolved for all rows at once (``seats.services.workloads.resolve``).

An upload's rows are checked column by column (``clean_columns``: each distinct value of a
field parsed once); a row that a check refuses is checked again on its own (``clean_row``),
which says why, so errors are those of the row-by-row check, in its order.
"""

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import repeat
from operator import gt
from typing import Any

from django.utils.translation import gettext

from agency.choices import Shift
from agency.errors import RowError
from agency.input_rules import year_error_message, year_in_window
from seats.services.workloads.columns import (
    COLUMNS,
    COUNT_FIELDS,
    OPTIONAL_FIELDS,
    OUTPUT_ONLY_FIELDS,
)

MAX_COUNT = 2_147_483_647  # the columns are 32-bit on every database
MAX_MONEY = Decimal("999999999999.99")  # max_digits=14, decimal_places=2

_DATE = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_CHINESE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_WHOLE = re.compile(r"^(?:\d+|\d{1,3}(?:,\d{3})+)$")
_AMOUNT = re.compile(r"^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?$")
SHIFT_WORDS = {
    "day": Shift.DAY,
    "night": Shift.NIGHT,
    "白班": Shift.DAY,
    "早班": Shift.DAY,
    "晚班": Shift.NIGHT,
    "夜班": Shift.NIGHT,
}


class FieldError(ValueError):
    pass


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A cell as the person wrote it, for messages (text that is not valid Unicode, such as a
    lone surrogate from a broken JSON client, is written as an escape, so that it can be
    answered)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip().encode("utf-8", "backslashreplace").decode("utf-8")


def _storable(text: str) -> bool:
    """No database stores NUL, and names carry no control characters (tabs, line breaks)."""
    return text.isprintable()  # a space is printable; tabs, line breaks and NUL are not


def _number_text(value: str) -> str:
    return value.strip().replace(" ", "")


def whole_number(value: Any) -> int:
    if isinstance(value, bool):
        raise FieldError(gettext("Expected a whole number, got '%(value)s'.") % {"value": value})
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal) and value == value and value % 1 == 0:
        number = int(value)  # a number cell of a workbook is a float: 80.0 is 80
    elif isinstance(value, str) and _WHOLE.match(_number_text(value)):
        number = int(_number_text(value).replace(",", ""))
    elif isinstance(value, str) and value.strip().startswith("-"):
        if _WHOLE.match(_number_text(value)[1:]):
            raise FieldError(gettext("Must not be negative."))
        raise FieldError(gettext("Expected a whole number, got '%(value)s'.") % {"value": value})
    else:
        raise FieldError(
            gettext("Expected a whole number, got '%(value)s'.") % {"value": _text(value)}
        )
    if number < 0:
        raise FieldError(gettext("Must not be negative."))
    if number > MAX_COUNT:
        raise FieldError(gettext("Must be at most %(limit)s.") % {"limit": MAX_COUNT})
    return number


def seconds(value: Any) -> int:
    """An average first response: seconds, decimals rounded half-up (18.5 -> 19)."""

    def wrong() -> FieldError:
        return FieldError(
            gettext("Expected a number of seconds, got '%(value)s'.") % {"value": _text(value)}
        )

    if isinstance(value, str):
        text = _number_text(value).replace(",", "")
        if text.startswith("-") and _AMOUNT.match(text[1:]):
            raise FieldError(gettext("Must not be negative."))
        if not _AMOUNT.match(text):
            raise wrong()
        number = Decimal(text)
    elif isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise wrong()
    else:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise wrong()
    if number < 0:
        raise FieldError(gettext("Must not be negative."))
    if number > MAX_COUNT:
        raise FieldError(gettext("Must be at most %(limit)s.") % {"limit": MAX_COUNT})
    return int(number.quantize(Decimal(1), ROUND_HALF_UP))


def parse_date(value: Any) -> date:
    """A workload's date from a cell or a JSON value, in the years 2000-2100."""
    day = _date_from(value)
    if not year_in_window(day):
        raise FieldError(year_error_message())
    return day


def _date_from(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = value.strip() if isinstance(value, str) else ""
    match = _DATE.match(text)
    parts = (match.group(1), match.group(3), match.group(4)) if match else None
    if parts is None and (match := _CHINESE_DATE.match(text)):
        parts = match.groups()
    if parts is None:
        raise FieldError(
            gettext("Expected a date such as 2026-11-27 or 2026/11/27, got '%(value)s'.")
            % {"value": _text(value)}
        )
    try:
        return date(*(int(part) for part in parts))
    except ValueError as exc:
        raise FieldError(
            gettext("'%(value)s' is not a valid date.") % {"value": _text(value)}
        ) from exc


def parse_shift(value: Any) -> str:
    shift = SHIFT_WORDS.get(value.strip().lower()) if isinstance(value, str) else None
    if shift is None:
        raise FieldError(
            gettext("The shift must be day or night (白班 or 晚班), got '%(value)s'.")
            % {"value": _text(value)}
        )
    return shift


def money(value: Any) -> Decimal:
    def wrong() -> FieldError:
        message = gettext("Expected an amount such as 1234.50 or ¥12,000.00, got '%(value)s'.")
        return FieldError(message % {"value": _text(value)})

    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise wrong()
    if isinstance(value, str):
        text = _number_text(value).lstrip("¥￥").replace("元", "")
        if text.startswith("-") and _AMOUNT.match(text[1:].lstrip("¥￥")):
            raise FieldError(gettext("Must not be negative."))
        if not _AMOUNT.match(text):
            raise wrong()
        value = text.replace(",", "")
    try:
        # repr() of a float is its shortest round-trip form: 12.3 stays 12.3, never 12.2999...
        amount = Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation as exc:
        raise wrong() from exc
    if not amount.is_finite():
        raise wrong()
    if amount < 0:
        raise FieldError(gettext("Must not be negative."))
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise FieldError(gettext("At most 2 decimal places."))
    if amount > MAX_MONEY:
        raise FieldError(gettext("Must be at most %(limit)s.") % {"limit": MAX_MONEY})
    return amount.quantize(Decimal("0.01"))


def reference(value: Any) -> str:
    """An agent or a shop as the row names it (an id, a number, a name, a sub-account)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise FieldError(gettext("Expected an id or a name, got '%(value)s'.") % {"value": value})
    text = _text(value)
    if not _storable(text):
        raise FieldError(gettext("An id or a name cannot contain control characters."))
    return text


_PARSERS = {
    "agent": reference,
    "shop": reference,
    "date": parse_date,
    "shift": parse_shift,
    **{name: whole_number for name in COUNT_FIELDS},
    "first_response_seconds": seconds,
    "sales_amount": money,
}
# Fields that may be left empty: the optional counts are then unknown, the shift is the
# roster's, and the shop the sub-account's.
_MAY_BE_EMPTY = OPTIONAL_FIELDS | {"shift", "shop"}
# The types of values whose parsed value ``clean_row`` may remember (not bool: True == 1).
_REMEMBERED = (str, int)
_KNOWN_FIELDS = frozenset(COLUMNS) | OUTPUT_ONLY_FIELDS
_UNKNOWN = object()


def clean_row(
    number: int,
    row: Any,
    *,
    labels: Mapping[str, str],
    missing: frozenset[str] = frozenset(),
    strict: bool = False,
    parsed: dict[tuple[str, Any], Any] | None = None,
) -> tuple[dict[str, Any], list[RowError]]:
    """The row's values by field (None for an empty optional field) and its errors.

    Fields in ``missing`` (a column the file lacks) are skipped: the header error says so
    once. ``strict`` (the JSON API) refuses fields it does not know; a file ignores them.
    ``parsed``, shared by the rows of one upload, remembers each field's value parsed from a
    text or a whole number (an upload repeats its dates, agents, shops and most counts: each
    distinct one is parsed once). Only values parsed well are kept, and only of those two types,
    whose equal values are the same value, so every row gets what parsing it would give.
    """
    if not isinstance(row, dict):
        return {}, [
            RowError(number, None, gettext("Each row must be an object with the workload fields."))
        ]
    errors = []
    if strict:
        errors = [
            RowError(
                number,
                str(key),
                gettext("Unknown field; the fields are: %(fields)s.")
                % {"fields": ", ".join(COLUMNS)},
            )
            for key in row
            if key not in _KNOWN_FIELDS
        ]
    cleaned: dict[str, Any] = {}
    for name in COLUMNS:
        if name in missing:
            cleaned[name] = None
            continue
        value = row.get(name)
        key = (name, value) if parsed is not None and value.__class__ in _REMEMBERED else None
        if key is not None:
            known = parsed.get(key, _UNKNOWN)
            if known is not _UNKNOWN:  # parsed well before (a blank value never is)
                cleaned[name] = known
                continue
        if _blank(value):
            if name in _MAY_BE_EMPTY:
                cleaned[name] = None
            else:
                errors.append(RowError(number, labels[name], gettext("This field is required.")))
            continue
        try:
            cleaned[name] = _PARSERS[name](value)
        except FieldError as exc:
            errors.append(RowError(number, labels[name], str(exc)))
        else:
            if key is not None:
                parsed[key] = cleaned[name]
    if (
        isinstance(cleaned.get("conversions"), int)
        and isinstance(cleaned.get("inquiries"), int)
        and cleaned["conversions"] > cleaned["inquiries"]
    ):
        errors.append(
            RowError(
                number,
                labels["conversions"],
                gettext("Conversions (%(conversions)s) cannot exceed inquiries (%(inquiries)s).")
                % {"conversions": cleaned["conversions"], "inquiries": cleaned["inquiries"]},
            )
        )
    return cleaned, errors


# The classes whose equal values are the same value, parsed alike (not bool, float or Decimal:
# True == 1 == 1.0 == Decimal(1)): a column holding nothing else is parsed per distinct value.
_PLAIN = frozenset({str, int, type(None)})
_REFUSED = object()  # a cell that ``clean_row`` reports an error for


def _cell(name: str, value: Any) -> Any:
    """What ``clean_row`` makes of a cell of column ``name``: its value, None when it is empty
    and may be, or ``_REFUSED``."""
    if _blank(value):
        return None if name in _MAY_BE_EMPTY else _REFUSED
    try:
        return _PARSERS[name](value)
    except FieldError:
        return _REFUSED


def _column(name: str, values: list[Any]) -> tuple[list[Any], bool]:
    """The cells of one column as ``_cell`` makes them, each distinct text or whole number
    parsed once, and whether any was refused."""
    if set(map(type, values)) <= _PLAIN:
        known = {value: _cell(name, value) for value in set(values)}
        refused = any(result is _REFUSED for result in known.values())
        return list(map(known.__getitem__, values)), refused
    remembered: dict[Any, Any] = {}  # numbers and dates of a workbook, anything a client sent
    cleaned = []
    refused = False
    for value in values:
        if value.__class__ in _REMEMBERED:
            result = remembered.get(value, _UNKNOWN)
            if result is _UNKNOWN:
                result = remembered[value] = _cell(name, value)
        else:
            result = _cell(name, value)
        refused = refused or result is _REFUSED
        cleaned.append(result)
    return cleaned, refused


Columns = dict[str, list[Any]]


def clean_columns(
    rows: Sequence[tuple[int, Any]],
    *,
    missing: frozenset[str] = frozenset(),
    strict: bool = False,
    cells: Columns | None = None,
) -> tuple[Columns, list[int]]:
    """The rows' values field by field, as ``clean_row`` makes them, and the indexes (in order)
    of the rows that a check refuses: not an object, an unknown field (``strict``), a bad
    value (``_REFUSED`` there), conversions above inquiries. ``clean_row`` says why.

    Each column's values are parsed together, each distinct one once. ``cells``: the rows'
    cells by field instead of ``rows`` (a file's, ``WorkloadFile.cells``).
    """
    refused: set[int] = set()
    if cells is None:
        objects = [row for _, row in rows]
        plain = set(map(type, objects)) <= {dict}
        if plain:
            dicts = objects
        else:
            dicts = [row if isinstance(row, dict) else {} for row in objects]
            refused.update(index for index, row in enumerate(objects) if not isinstance(row, dict))
        if strict and not all(map(_KNOWN_FIELDS.issuperset, dicts)):
            refused.update(
                index for index, row in enumerate(dicts) if not _KNOWN_FIELDS.issuperset(row)
            )
        cells = {
            name: list(map(dict.get, dicts, repeat(name)))
            if plain
            else [row.get(name) for row in dicts]  # a mapping of its own may read otherwise
            for name in COLUMNS
            if name not in missing
        }
        count = len(objects)
    else:
        count = len(next(iter(cells.values()), ()))
    columns: Columns = {}
    for name in COLUMNS:
        if name in missing:
            columns[name] = [None] * count
            continue
        values = cells[name] if name in cells else [None] * count
        columns[name], any_refused = _column(name, values)
        if any_refused:
            refused.update(index for index, value in enumerate(columns[name]) if value is _REFUSED)
    conversions, inquiries = columns["conversions"], columns["inquiries"]
    try:
        exceeded = any(map(gt, conversions, inquiries))
    except TypeError:  # a row without one of them (refused, or the column missing)
        exceeded = True
    if exceeded:
        refused.update(
            index
            for index, (converted, asked) in enumerate(zip(conversions, inquiries, strict=True))
            if isinstance(converted, int) and isinstance(asked, int) and converted > asked
        )
    return columns, sorted(refused)


def clean_rows(
    rows: Sequence[tuple[int, Any]],
    *,
    labels: Mapping[str, str],
    missing: frozenset[str] = frozenset(),
    strict: bool = False,
    checked: tuple[Columns, list[int]] | None = None,
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """``clean_row`` of every row of an upload (numbered as given), and all their errors in
    row order; ``checked``: what ``clean_columns`` found, when it ran already.

    The rows are assembled from the columns, and those a check refused cleaned again by
    ``clean_row``: their errors, and the values the later checks see, are those of the
    row-by-row check, in the same order.
    """
    columns, refused = checked or clean_columns(rows, missing=missing, strict=strict)
    numbers = [number for number, _ in rows]
    assembled = map(dict, map(zip, repeat(COLUMNS), zip(*columns.values(), strict=True)))
    cleaned_rows = list(zip(numbers, assembled, strict=True))
    errors: list[RowError] = []
    parsed: dict[tuple[str, Any], Any] = {}
    for index in refused:
        number, row = rows[index]
        cleaned, row_errors = clean_row(
            number, row, labels=labels, missing=missing, strict=strict, parsed=parsed
        )
        cleaned_rows[index] = (number, cleaned)
        errors.extend(row_errors)
    return cleaned_rows, errors
