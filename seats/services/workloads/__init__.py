"""Workload ingest: daily exports (CSV in UTF-8 or GBK, Excel workbooks) or API lists,
upserted by (agent, shop, date, shift).

- ``columns``: the fields and the headers real exports give them (English or Chinese);
- ``files``: reading a file into rows, or columns when every line is a row
  (``read_workload_file``);
- ``rows``: the values of the rows, column by column, and the errors of each row (dates,
  counts, amounts as exports write them);
- ``resolve``: which agent, shop and shift each row names, for all rows at once;
- ``upsert``: the all-or-nothing, set-based write (``workload_bulk_upsert``);
- ``template``: the empty file to fill in (``workload_template``).
"""

from seats.services.workloads.columns import (
    COLUMNS,
    COUNT_FIELDS,
    KEY_FIELDS,
    OUTPUT_ONLY_FIELDS,
    WorkloadBulkError,
)
from seats.services.workloads.files import WorkloadFile, read_workload_file
from seats.services.workloads.template import TEMPLATE_FORMATS, workload_template
from seats.services.workloads.upsert import (
    BulkResult,
    cycle_collection_paused,
    workload_bulk_upsert,
    workload_time_error,
)


def parse_workload_csv(file, *, name: str = "") -> WorkloadFile:
    """Read a workload file (CSV or XLSX); kept under its first name for its callers."""
    return read_workload_file(file, name=name)


__all__ = [
    "COLUMNS",
    "COUNT_FIELDS",
    "KEY_FIELDS",
    "OUTPUT_ONLY_FIELDS",
    "TEMPLATE_FORMATS",
    "BulkResult",
    "WorkloadBulkError",
    "WorkloadFile",
    "cycle_collection_paused",
    "parse_workload_csv",
    "read_workload_file",
    "workload_bulk_upsert",
    "workload_template",
    "workload_time_error",
]
