"""The error types of the services layer.

Services raise ``ApplicationError`` (a rule refused the action) or Django's ``ValidationError``
(bad field values); the API turns both into 400 responses, ``StateConflict`` into 409 and
``NotPermitted`` into 403. ``RowErrors`` refuses a multi-row write as a whole, row by row.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


class ApplicationError(Exception):
    status_code = 400

    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class StateConflict(ApplicationError):
    """The object's state forbids the action (issue while awaiting turnover, void when paid)."""

    status_code = 409


class NotPermitted(ApplicationError):
    """The actor may not do this (answered as 403)."""

    status_code = 403


class NotFound(ApplicationError):
    """The object a service was asked to change does not exist (answered as 404)."""

    status_code = 404


@dataclass(frozen=True)
class RowError:
    """One refused row of a multi-row write. Rows are numbered from 1; ``row`` is ``None`` for
    the upload as a whole (and 0 for a CSV header), ``field`` ``None`` for the row as a whole."""

    row: int | None
    field: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


class RowErrors(ApplicationError):
    """A multi-row write refused as a whole (answered as 400).

    The answer is ``{"detail": ..., "errors": [{"row", "field", "message"}, ...]}``: the errors
    about the whole upload first, then by row; at most ``MAX_REPORTED`` of them, with
    ``"errors_omitted": n`` when more were found. ``errors`` keeps them all. Each kind of write
    subclasses it and says what happened in ``summary``.
    """

    MAX_REPORTED = 1000

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.errors = sorted(errors, key=lambda error: (error.row is not None, error.row or 0))
        shown = self.errors[: self.MAX_REPORTED]
        extra: dict[str, Any] = {"errors": [error.as_dict() for error in shown]}
        if len(self.errors) > len(shown):
            extra["errors_omitted"] = len(self.errors) - len(shown)
        super().__init__(self.summary(len(self.errors)), extra)

    def summary(self, count: int) -> str:
        """The answer's ``detail`` for ``count`` errors."""
        raise NotImplementedError
