from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The managers' web app: server-rendered pages over the services of shops, seats, billing."""

    name = "web"
    verbose_name = _("Manager web app")
