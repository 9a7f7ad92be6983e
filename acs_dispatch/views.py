"""Login, logout and the landing page that sends each role to its screen."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from acs_dispatch.roles import ROLE_HOME, Role, user_has_role
from acs_dispatch.services import user_login_record, user_logout_record


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

    def form_valid(self, form):
        response = super().form_valid(form)
        user_login_record(user=form.get_user(), ip=client_ip(self.request))
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


ALL_ROLES = tuple(Role.values)
