"""Workload import: upload an export (CSV or XLSX), see what it holds and what is wrong, then
save it.

The file is read by ``seats.services.read_workload_file`` and checked by the very write that
saves it, ``seats.services.workload_bulk_upsert``, run once inside a transaction that is rolled
back: the preview shows its verdict (row-numbered errors, or how many workloads would be created
and replaced) and nothing is saved. Confirming runs the same write for real. Between the two
steps the file waits in the manager's session, named by its digest.
"""

import base64
import hashlib
from dataclasses import dataclass, field

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from agency.errors import RowError
from seats.selectors import agent_names
from seats.services import (
    BulkResult,
    WorkloadBulkError,
    WorkloadFile,
    cycle_collection_paused,
    read_workload_file,
    workload_bulk_upsert,
)
from shops.selectors import shop_names
from web.forms import WorkloadUploadForm
from web.views.base import ManagerPage

SESSION_KEY = "web.workload_import"
PREVIEW_ROWS = 50
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class _DryRun(Exception):
    """Raised to roll the trial write back."""


@dataclass
class Preview:
    digest: str
    filename: str
    rows: list[dict[str, str]]
    errors: list[RowError]
    result: BulkResult | None
    ignored_columns: list[str] = field(default_factory=list)
    skipped_rows: int = 0

    @property
    def shown_rows(self) -> list[dict[str, str]]:
        return self.rows[:PREVIEW_ROWS]


def _check(raw: bytes, name: str) -> tuple[WorkloadFile | None, list[RowError], BulkResult | None]:
    """Read and run the upsert without keeping anything: the file, errors, would-be result."""
    with cycle_collection_paused():  # see seats.services.workloads.cycle_collection_paused
        return _check_upload(raw, name)


def _check_upload(
    raw: bytes, name: str
) -> tuple[WorkloadFile | None, list[RowError], BulkResult | None]:
    try:
        upload = read_workload_file(raw, name=name)
    except WorkloadBulkError as error:
        return None, error.errors, None
    result = None
    try:
        with transaction.atomic():
            result = workload_bulk_upsert(rows=upload)
            raise _DryRun
    except _DryRun:
        pass
    except WorkloadBulkError as error:
        return upload, error.errors, None
    return upload, [], result


def _names(rows: list[dict[str, str]]) -> tuple[dict[str, str], dict[str, str]]:
    """Agent and shop names for the ids in the preview rows (two queries)."""
    agent_ids = {str(row.get("agent", "")) for row in rows}
    shop_ids = {str(row.get("shop", "")) for row in rows}
    agents = agent_names(ids=[i for i in agent_ids if i.isdigit()])
    shops = shop_names(ids=[i for i in shop_ids if i.isdigit()])
    return (
        {str(pk): name for pk, name in agents.items()},
        {str(pk): name for pk, name in shops.items()},
    )


class WorkloadImportView(ManagerPage):
    template_name = "manager/workloads/import.html"
    nav = "workloads"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=WorkloadUploadForm()))

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm(request)
        form = WorkloadUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("The file is too large (at most 5 MB)."))
            return self.render_to_response(self.get_context_data(form=form))
        raw = upload.read()
        digest = hashlib.sha256(raw).hexdigest()
        read, errors, result = _check(raw, upload.name)
        preview = Preview(
            digest,
            upload.name,
            [{key: str(value) for key, value in row.items()} for row in read.plain_rows]
            if read
            else [],
            errors,
            result,
            ignored_columns=read.ignored_columns if read else [],
            skipped_rows=read.skipped_rows if read else 0,
        )
        if not errors:
            request.session[SESSION_KEY] = {
                "digest": digest,
                "name": upload.name,
                "file": base64.b64encode(raw).decode("ascii"),
            }
        else:
            request.session.pop(SESSION_KEY, None)
        agent_names, shop_names = _names(preview.shown_rows)
        return self.render_to_response(
            self.get_context_data(
                form=WorkloadUploadForm(),
                preview=preview,
                agent_names=agent_names,
                shop_names=shop_names,
            )
        )

    def confirm(self, request):
        stored = request.session.get(SESSION_KEY)
        if not stored or stored.get("digest") != request.POST.get("digest"):
            messages.error(request, _("The checked file is no longer here: upload it again."))
            return redirect("web:workload-import")
        try:
            raw = base64.b64decode(stored["file"])
            with cycle_collection_paused():
                result = workload_bulk_upsert(rows=read_workload_file(raw, name=stored["name"]))
        except (WorkloadBulkError, KeyError):
            # The data changed since the check (an agent or shop was removed): check again.
            messages.error(request, _("The file no longer passes the checks: upload it again."))
            return redirect("web:workload-import")
        request.session.pop(SESSION_KEY, None)
        messages.success(
            request,
            _("Saved %(name)s: %(created)s new workloads, %(updated)s replaced.")
            % {"name": stored["name"], "created": result.created, "updated": result.updated},
        )
        return redirect("web:workload-import")
