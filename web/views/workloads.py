"""Workload import: upload a CSV export, see what it holds and what is wrong, then save it.

The file is read by ``seats.services.parse_workload_csv`` and checked by the very write that
saves it, ``seats.services.workload_bulk_upsert``, run once inside a transaction that is rolled
back: the preview shows its verdict (row-numbered errors, or how many workloads would be created
and replaced) and nothing is saved. Confirming runs the same write for real. Between the two
steps the file waits in the manager's session, named by its digest.
"""

import hashlib
from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from agency.errors import RowError
from seats.selectors import agent_names
from seats.services import (
    BulkResult,
    WorkloadBulkError,
    parse_workload_csv,
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

    @property
    def shown_rows(self) -> list[dict[str, str]]:
        return self.rows[:PREVIEW_ROWS]


def _check(text: str) -> tuple[list[dict[str, str]], list[RowError], BulkResult | None]:
    """Parse and run the upsert without keeping anything: rows, errors, would-be result."""
    try:
        rows = parse_workload_csv(text)
    except WorkloadBulkError as error:
        return [], error.errors, None
    result = None
    try:
        with transaction.atomic():
            result = workload_bulk_upsert(rows=rows)
            raise _DryRun
    except _DryRun:
        pass
    except WorkloadBulkError as error:
        return rows, error.errors, None
    return rows, [], result


def _names(rows: list[dict[str, str]]) -> tuple[dict[str, str], dict[str, str]]:
    """Agent and shop names for the ids in the preview rows (two queries)."""
    agent_ids = {row.get("agent", "") for row in rows}
    shop_ids = {row.get("shop", "") for row in rows}
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
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw  # the parser reports where the file stops being UTF-8
        rows, errors, result = _check(text)
        preview = Preview(digest, upload.name, rows, errors, result)
        if not errors:
            request.session[SESSION_KEY] = {"digest": digest, "name": upload.name, "text": text}
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
            result = workload_bulk_upsert(rows=parse_workload_csv(stored["text"]))
        except WorkloadBulkError:
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
