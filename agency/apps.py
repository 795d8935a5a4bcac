from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgencyConfig(AppConfig):
    name = "agency"
    verbose_name = _("Agency")

    def ready(self) -> None:
        from agency import checks, input_rules, lookups, schema  # noqa: F401  (registers checks, schema)

        # Every form, admin form and serializer refuses control characters and years outside
        # 2000-2100 (agency/input_rules.py says why the base classes learn it here).
        input_rules.install()
        # ``field__any=ids``: many ids as one array parameter on PostgreSQL (agency/lookups.py).
        lookups.install()
