"""Domain errors. Each carries an HTTP status and a snake_case code for the JSON error body."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


class DomainError(Exception):
    status = 400
    code = "invalid_input"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidInput(DomainError):
    status, code = 400, "invalid_input"


class NotAuthenticated(DomainError):
    status, code = 401, "not_authenticated"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


class InvalidTransition(Conflict):
    """The object is not in a state that allows this action."""

    code = "invalid_state"


def found(value: T | None, error: DomainError) -> T:
    """``value``, or ``error`` raised when there is none (a lookup that must find its row)."""
    if value is None:
        raise error
    return value
