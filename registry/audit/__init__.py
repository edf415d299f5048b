"""The audit trail: who acted (``Actor``), recording events, and reading the log."""

from registry.audit.actor import API, CLI, WEB, Actor
from registry.audit.events import changes, event_row, record

__all__ = ["API", "CLI", "WEB", "Actor", "changes", "event_row", "record"]
