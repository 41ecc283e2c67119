"""Domain errors: each carries a stable code that clients can act on."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused a command or an event."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFound(DomainError):
    code = "not_found"


class Unauthorized(DomainError):
    """No caller, or one whose token is unknown, revoked or expired."""

    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    """Refused because of what is already recorded (an id taken, a version published)."""

    code = "conflict"


class Gone(DomainError):
    """Refused because what was asked for existed and can no longer be used (a one-time
    sign-in link already used or expired); asking again will not help."""

    code = "gone"


class StoreUnavailable(Exception):
    """The event store cannot be reached or written right now; retry later."""
