from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeatsConfig(AppConfig):
    name = "seats"
    verbose_name = _("Seats and agents")

    def ready(self) -> None:
        from agency.access import register_agent_shops
        from seats.roster import shop_ids_served_by

        register_agent_shops(shop_ids_served_by)
