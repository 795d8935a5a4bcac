"""Writes of the seats app. The API, the admin, commands and tasks all call these."""

from seats.services.assignments import (
    assignment_create,
    assignment_delete,
    assignment_update,
    assignment_validate,
)
from seats.services.handover import (
    handover_agents,
    handover_note_acknowledge,
    handover_note_create,
    handover_note_update,
    handover_note_validate,
    handover_writing_open_for_agents,
    handover_writing_opens,
)
from seats.services.handover_alerts import HandoverAlertResult, handover_overdue_alert
from seats.services.rollup import (
    RollupResult,
    agent_daily_load_refresh,
    agent_daily_load_rollup,
)
from seats.services.staff import (
    AgentDeparture,
    account_agent_validate,
    account_create,
    account_update,
    agent_create,
    agent_deactivate,
    agent_update,
    departure_date_validate,
    seat_create,
    seat_update,
)
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
    "AgentDeparture",
    "BulkResult",
    "RollupResult",
    "WorkloadBulkError",
    "WorkloadFile",
    "account_agent_validate",
    "account_create",
    "account_update",
    "agent_create",
    "agent_deactivate",
    "agent_daily_load_refresh",
    "agent_daily_load_rollup",
    "agent_update",
    "assignment_create",
    "assignment_delete",
    "assignment_update",
    "assignment_validate",
    "departure_date_validate",
    "HandoverAlertResult",
    "handover_agents",
    "handover_note_acknowledge",
    "handover_note_create",
    "handover_note_update",
    "handover_note_validate",
    "handover_overdue_alert",
    "handover_writing_open_for_agents",
    "handover_writing_opens",
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
