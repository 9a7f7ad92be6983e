"""Ends a session that should have, but has not, passed the second factor.

The two-step login (acs_dispatch.mfa_views) only calls Django's login() after the code, so this
is the backstop for the other ways a session can lack it: a role that starts requiring MFA while
the user is signed in (a dispatcher made admin), a session from before MFA was required, a login
through any other path. Such a session is logged out; the next sign-in asks for the code (or the
enrolment). Runs after django-otp's OTPMiddleware, which sets `user.is_verified()`.
"""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse

from acs_dispatch.mfa import mfa_role_requires
from acs_dispatch.services import user_logout_record


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and mfa_role_requires(user.role)  # the role alone: no query on every request
            and not user.is_verified()
        ):
            user_logout_record(user=user, ip=request.META.get("REMOTE_ADDR"))
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": "mfa_required", "detail": "Sign in again with your second factor."}, status=401
                )
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
