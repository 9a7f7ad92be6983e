"""Login, logout, the session probe, locked accounts and the landing page that sends each role to
its screen."""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from acs_dispatch.exceptions import PROBLEM_CONTENT_TYPE, problem_body
from acs_dispatch.mfa import mfa_device, mfa_required, mfa_verify
from acs_dispatch.mfa_views import mfa_login_complete, mfa_pending_start
from acs_dispatch.middleware import ACTIVE_AT_KEY, session_probe
from acs_dispatch.roles import ROLE_HOME, Role, user_has_role
from acs_dispatch.selectors import accounts_locked
from acs_dispatch.services import user_login_record, user_logout_record, user_unlock
from acs_dispatch.throttles import sign_in_throttle_wait


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def role_required(*roles: str):
    """View decorator: anonymous users go to the login page, other roles get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not user_has_role(request.user, *roles):
                raise PermissionDenied("Your role does not give access to this screen.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # By address, before the password is checked (acs_dispatch.throttles; issue 15).
        wait = sign_in_throttle_wait(request)
        if wait is not None:
            form = self.get_form()
            form.is_bound = False
            context = self.get_context_data(form=form, throttled=int(wait) + 1)
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(int(wait) + 1)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if mfa_required(user=user):
            # Not logged in yet: the code step (or enrolment) comes first (acs_dispatch.mfa_views).
            code = self.request.POST.get("otp", "")
            if code:  # the idle lock's form sends the password and the code at once
                device = mfa_verify(user=user, code=code)
                if device is None:
                    form.add_error(None, "Wrong username, password or code.")
                    return self.form_invalid(form)
                return mfa_login_complete(
                    self.request,
                    user=user,
                    device=device,
                    backend=user.backend,
                    next_url=self.get_success_url(),
                    ip=client_ip(self.request),
                )
            mfa_pending_start(self.request, user=user, next_url=self.get_success_url())
            return redirect("mfa_verify" if mfa_device(user=user) else "mfa_enrol")
        response = super().form_valid(form)
        user_login_record(user=user, ip=client_ip(self.request))
        return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated:
        user_logout_record(user=user, ip=client_ip(request))
    return auth_views.LogoutView.as_view()(request)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its screen; a user without a role sees why they cannot go on."""
    target = ROLE_HOME.get(request.user.role)
    if target is None:
        return render(request, "no_role.html", status=403)
    return redirect(target)


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links: send them to the static icon."""
    return redirect(static("favicon.svg"), permanent=True)


@session_probe
@never_cache
@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """GET /session: whether the session is still alive and how many seconds of idle time it has
    left. A probe: it does not slide the session (see acs_dispatch.middleware), so a screen can ask
    as often as it likes without keeping an unattended console logged in."""
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"authenticated": False, "expires_in": 0})
    idle = settings.SESSION_COOKIE_AGE
    active_at = request.session.get(ACTIVE_AT_KEY) or int(time.time())
    expires_in = max(0, int(active_at + idle - time.time()))
    return JsonResponse(
        {
            "authenticated": True,
            "username": user.get_username(),
            "idle_seconds": idle,
            "expires_in": expires_in,
        }
    )


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked (username, address) pair (AXES_LOCKOUT_CALLABLE): the
    locked-out page for the browser, the API's error shape under /api/. Both 429."""
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "error": "locked_out",
                "detail": f"Too many failed sign-ins for this account from this address: locked for "
                f"{minutes} minutes here (an admin can unlock it now).",
            },
            status=429,
            headers={"Retry-After": str(minutes * 60)},
        )
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, {"cooloff_minutes": minutes}, status=429)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def accounts_locked_view(request: HttpRequest) -> HttpResponse:
    """The admin's list of accounts locked after failed sign-ins, each with an Unlock button."""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        if username and user_unlock(username=username, actor=request.user):
            messages.success(request, f"{username} is unlocked and can sign in again.")
        else:
            messages.info(request, f"{username or 'That account'} was not locked.")
        return redirect("accounts_locked")
    context = {"screen": "locked", "locked": accounts_locked(), "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/accounts_locked.html", context)


ALL_ROLES = tuple(Role.values)


# --- Errors: JSON in the API's one shape under /api/, Django's pages elsewhere.


def _api_problem(request: HttpRequest, *, status: int, detail: str, code: str) -> JsonResponse | None:
    if not request.path.startswith("/api/"):
        return None
    return JsonResponse(
        problem_body(status=status, detail=detail, code=code),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_problem(
        request, status=404, detail="No such resource.", code="not_found"
    ) or defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    return _api_problem(
        request, status=500, detail="The server failed; the error is logged.", code="server_error"
    ) or defaults.server_error(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_problem(
        request, status=400, detail="Bad request.", code="bad_request"
    ) or defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_problem(
        request, status=403, detail="You may not do this.", code="not_allowed"
    ) or defaults.permission_denied(request, exception)
