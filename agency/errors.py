"""The one error type of the services layer.

Services raise ``ApplicationError`` (a rule refused the action) or Django's ``ValidationError``
(bad field values); the API turns both into 400 responses, ``StateConflict`` into 409.
"""

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
