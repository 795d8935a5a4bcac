"""Helpers the contract and turnover services import from here until they import them from
their homes: ``agency.services.record_actor`` and ``agency.access.require_manager``."""

from agency.access import require_manager
from agency.services import record_actor

__all__ = ["record_actor", "require_manager"]
