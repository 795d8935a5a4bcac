from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgencyConfig(AppConfig):
    name = "agency"
    verbose_name = _("Agency")

    def ready(self) -> None:
        from agency import checks, schema  # noqa: F401  (registers checks and schema extensions)
