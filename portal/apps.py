from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The client portal: shop owners see their service, their quality and their bills."""

    name = "portal"
    verbose_name = _("Client portal")
