"""Writes of the shops app: shops, contracts, turnover reports and DSR ratings.

Every write the API, the admin or a command makes goes through a function here. Each takes
keyword-only arguments, runs in one transaction, checks its rules first and refuses with a
``ValidationError`` naming the field (400), ``StateConflict`` (409) or ``NotPermitted`` (403;
the turnover services still raise Django's ``PermissionDenied``). ``actor`` is the user acting;
it is recorded in the history (``simple_history``) and ``None`` means the system itself
(imports, data migrations).
"""

from shops.immutability import turnover_correction
from shops.services.contracts import (
    CONTRACT_EDITABLE_FIELDS,
    CONTRACT_TERMS_FIELDS,
    contract_create,
    contract_update,
    contract_validate,
)
from shops.services.dsr import DSR_MAX_ROWS, DsrBulkError, dsr_ratings_record
from shops.services.shops import (
    OWNER_EDITABLE_SHOP_FIELDS,
    PAYMENT_TERMS_MAX_DAYS,
    SHOP_FIELDS,
    payment_terms_help,
    shop_check_editable_fields,
    shop_create,
    shop_update,
)
from shops.services.turnover import (
    turnover_amount_set,
    turnover_change_check,
    turnover_check_amount,
    turnover_mark_confirmed,
    turnover_month_check,
    turnover_report_lock,
    turnover_submit,
    turnover_update,
)

__all__ = [
    "CONTRACT_EDITABLE_FIELDS",
    "CONTRACT_TERMS_FIELDS",
    "DSR_MAX_ROWS",
    "OWNER_EDITABLE_SHOP_FIELDS",
    "PAYMENT_TERMS_MAX_DAYS",
    "SHOP_FIELDS",
    "DsrBulkError",
    "contract_create",
    "contract_update",
    "contract_validate",
    "dsr_ratings_record",
    "payment_terms_help",
    "shop_check_editable_fields",
    "shop_create",
    "shop_update",
    "turnover_amount_set",
    "turnover_change_check",
    "turnover_check_amount",
    "turnover_correction",
    "turnover_mark_confirmed",
    "turnover_month_check",
    "turnover_report_lock",
    "turnover_submit",
    "turnover_update",
]
