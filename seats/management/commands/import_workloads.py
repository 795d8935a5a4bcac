"""Upsert workloads from a CSV export: ``manage.py import_workloads day.csv``.

Same format, rules and all-or-nothing behaviour as ``POST /api/v1/workloads/bulk/``.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from seats.services import WorkloadBulkError, parse_workload_csv, workload_bulk_upsert


class Command(BaseCommand):
    help = "Upsert workloads by (agent, shop, date, shift) from a UTF-8 CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="CSV file with a header row (see docs/seats.md).")

    def handle(self, *args, path: str, **options) -> None:
        try:
            with open(path, "rb") as file:
                result = workload_bulk_upsert(rows=parse_workload_csv(file))
        except OSError as exc:
            raise CommandError(
                gettext("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror}
            ) from exc
        except WorkloadBulkError as exc:
            for error in exc.errors[:50]:
                where = "file" if error.row is None else f"row {error.row}"
                field = f" {error.field}" if error.field else ""
                self.stderr.write(f"{where}{field}: {error.message}")
            raise CommandError(exc.message) from exc
        self.stdout.write(f"created {result.created}, updated {result.updated}")
