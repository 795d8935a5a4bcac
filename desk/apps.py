from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The agent's desk: today's shifts, the briefings of the shops served now, the handover and
    the agent's own KPIs, on a phone (docs/desk.md)."""

    name = "desk"
    verbose_name = _("Agent's desk")
