"""Domain errors. Each carries an HTTP status and a snake_case code for the JSON error body."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "invalid_input"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidInput(DomainError):
    status = 400
    code = "invalid_input"


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class InvalidTransition(Conflict):
    """The object is not in a state that allows this action."""

    code = "invalid_state"
