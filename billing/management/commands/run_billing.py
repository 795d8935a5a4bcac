"""``manage.py run_billing --month YYYY-MM``: bill a month now, in this process.

The same service as the API and the monthly schedule: a billing run is recorded (so managers see
it next to the others) and executed synchronously.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from agency.errors import ApplicationError
from agency.months import parse_month
from billing.services import billing_run_create, billing_run_execute


class Command(BaseCommand):
    help = "Bill a month: one invoice per shop with a contract active in it (drafts recomputed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="The month to bill, YYYY-MM.")

    def handle(self, *args, month: str, **options) -> None:
        try:
            first_day = parse_month(month)
        except ValueError as error:
            raise CommandError(str(error)) from None
        try:
            run = billing_run_create(month=first_day, enqueue=False)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        try:
            run = billing_run_execute(run_id=run.pk)
        except (ApplicationError, ValueError) as error:
            raise CommandError(
                gettext("Billing run %(id)s for %(month)s failed: %(error)s")
                % {"id": run.pk, "month": month, "error": error}
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                gettext(
                    "Billing run %(id)s for %(month)s: %(created)s invoices created, "
                    "%(updated)s updated."
                )
                % {
                    "id": run.pk,
                    "month": f"{run.month:%Y-%m}",
                    "created": run.invoices_created,
                    "updated": run.invoices_updated,
                }
            )
        )
