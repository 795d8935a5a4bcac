"""Writes of the seats app. The API, the admin, commands and tasks all call these."""

from seats.services.assignments import (
    assignment_create,
    assignment_delete,
    assignment_update,
    assignment_validate,
)
from seats.services.covers import (
    MAX_COVER_DAYS,
    cover_agent_free_check,
    cover_create,
    cover_delete,
    cover_seat_shift_free_check,
)
from seats.services.handover import (
    handover_note_acknowledge,
    handover_note_create,
    handover_note_update,
    handover_note_validate,
)
from seats.services.leave import (
    LeaveDecision,
    leave_approve,
    leave_cancel,
    leave_reject,
    leave_request,
)
from seats.services.rollup import (
    RollupResult,
    agent_daily_load_refresh,
    agent_daily_load_rollup,
)
from seats.services.staff import agent_create, agent_update, seat_create, seat_update
from seats.services.sub_accounts import (
    sub_account_grant,
    sub_account_revoke,
    sub_account_update,
    sub_account_validate,
)
from seats.services.workloads import (
    BulkResult,
    WorkloadBulkError,
    WorkloadFile,
    parse_workload_csv,
    read_workload_file,
    workload_bulk_upsert,
    workload_template,
    workload_time_error,
)

__all__ = [
    "MAX_COVER_DAYS",
    "LeaveDecision",
    "cover_agent_free_check",
    "cover_create",
    "cover_delete",
    "cover_seat_shift_free_check",
    "leave_approve",
    "leave_cancel",
    "leave_reject",
    "leave_request",
    "BulkResult",
    "RollupResult",
    "WorkloadBulkError",
    "WorkloadFile",
    "agent_create",
    "agent_daily_load_refresh",
    "agent_daily_load_rollup",
    "agent_update",
    "assignment_create",
    "assignment_delete",
    "assignment_update",
    "assignment_validate",
    "handover_note_acknowledge",
    "handover_note_create",
    "handover_note_update",
    "handover_note_validate",
    "parse_workload_csv",
    "read_workload_file",
    "seat_create",
    "seat_update",
    "sub_account_grant",
    "sub_account_revoke",
    "sub_account_update",
    "sub_account_validate",
    "workload_bulk_upsert",
    "workload_template",
    "workload_time_error",
]
