"""Expected refusals of the domain, and how the API shows them."""

from __future__ import annotations

from rest_framework.response import Response
from rest_framework.views import exception_handler


class DispatchError(Exception):
    """A refusal the user can act on. Subclasses set the HTTP status and a stable code."""

    status_code = 400
    code = "dispatch_error"

    def __init__(self, message: str, **extra) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class NotAllowed(DispatchError):
    status_code = 403
    code = "not_allowed"


class AuthenticationRefused(DispatchError):
    """Sign-in refused: unknown user, wrong password, or a second factor missing or wrong (401)."""

    status_code = 401
    code = "invalid_credentials"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


class Conflict(DispatchError):
    """The row is not in a state that allows the change (a stale view, a lost race)."""

    status_code = 409
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class UnitUnavailable(Conflict):
    code = "unit_unavailable"


class OrderRefused(Conflict):
    """The call's order of arrival forbids this unit yet (ACS before police where police make the
    scene safe): assign the missing lead first, or go ahead with a recorded reason."""

    code = "order_refused"


class StaleDraft(Conflict):
    code = "stale_draft"


class ValidationFailed(DispatchError):
    """Field errors found by a service (e.g. a rule that can never match)."""

    code = "invalid"

    def __init__(self, message: str, *, errors: dict | list | None = None) -> None:
        super().__init__(message, errors=errors or {})


def api_exception_handler(exc, context):
    if isinstance(exc, DispatchError):
        body = {"error": exc.code, "detail": exc.message, **exc.extra}
        response = Response(body, status=exc.status_code)
        if exc.status_code == 401:
            response["WWW-Authenticate"] = "Token"  # RFC 9110: a 401 names the scheme to use
        return response
    return exception_handler(exc, context)
