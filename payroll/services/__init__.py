"""Writes of the payroll app. Each topic has its module; the names are re-exported here."""

from payroll.services.reviews import (
    DECISIONS,
    qa_item_create,
    qa_item_update,
    qa_sheet_warning,
    review_appeal,
    review_create,
    review_decide,
    review_email_send,
)

__all__ = [
    "DECISIONS",
    "qa_item_create",
    "qa_item_update",
    "qa_sheet_warning",
    "review_appeal",
    "review_create",
    "review_decide",
    "review_email_send",
]
