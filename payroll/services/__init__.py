"""Writes of the payroll app. Each topic has its module: reviews (re-exported here),
``payroll.services.runs`` (payroll runs, approval, adjustments), ``payroll.services.locks``."""

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
