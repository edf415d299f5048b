"""Who acted: one value, made once at the door (a request, a command) and passed down
to every operation, which stamps it on each audit event it records."""

from dataclasses import dataclass, replace
from typing import Any

# The doors through which an action can come.
WEB, API, CLI = "web", "api", "cli"


@dataclass(frozen=True)
class Actor:
    """The person (None for the system or an unknown visitor), the door or process
    (``web``, ``api``, ``cli``, ``import``, ``demo``, ``synth``, ``init``…) and the
    client's address when there is one."""

    user: Any = None  # a User, or the web edge's wrapper of one
    source: str | None = None
    address: str | None = None

    @classmethod
    def system(cls, source: str) -> "Actor":
        """The registry itself, acting for ``source`` (a command's data loader, say)."""
        return cls(None, source)

    @property
    def id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @property
    def email(self) -> str | None:
        return self.user.email if self.user is not None else None

    def via(self, source: str) -> "Actor":
        """The same person, acting through ``source`` (the importer, for instance)."""
        return replace(self, source=source)
