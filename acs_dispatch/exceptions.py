"""Expected refusals of the domain, and how the API shows them."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
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


PROBLEM_CONTENT_TYPE = "application/problem+json"

# RFC 7807 titles: the same for every problem of a status, so a client may show it as a heading.
TITLES = {
    400: "Invalid request",
    401: "Not logged in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Server error",
    503: "Service unavailable",
}


def problem_body(*, status: int, detail: str, code: str, **extra) -> dict:
    """The one error shape of the API (DESIGN.md): RFC 7807 `title`, `status`, `detail`, plus `error`
    (a stable code a client may branch on) and, for invalid fields, `errors` by field name."""
    return {"title": TITLES.get(status, "Error"), "status": status, "detail": detail, "error": code, **extra}


def problem_response(*, status: int, detail: str, code: str, **extra) -> Response:
    return Response(
        problem_body(status=status, detail=detail, code=code, **extra),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def _first_message(errors) -> str:
    """The first field message, for `detail` (a screen without field slots still says something)."""
    while isinstance(errors, dict | list) and errors:
        errors = next(iter(errors.values())) if isinstance(errors, dict) else errors[0]
    return str(errors) if errors else "The request has invalid fields."


def api_exception_handler(exc, context):
    """Every API error in the one shape: domain refusals (DispatchError), DRF's own (validation,
    authentication, permission, 404, 405, throttling)."""
    if isinstance(exc, DispatchError):
        extra = dict(exc.extra)
        if "status" in extra:  # the row's state; `status` is the HTTP status in RFC 7807
            extra["current_status"] = extra.pop("status")
        response = problem_response(status=exc.status_code, detail=exc.message, code=exc.code, **extra)
        if exc.status_code == 401:
            response["WWW-Authenticate"] = "Token"  # RFC 9110: a 401 names the scheme to use
        return response
    response = exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500 handler answers (acs_dispatch.views.server_error)
    if isinstance(exc, ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        body = problem_body(status=400, detail=_first_message(errors), code="invalid", errors=errors)
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else str(response.data)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = problem_body(status=response.status_code, detail=str(detail), code=str(code))
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response
