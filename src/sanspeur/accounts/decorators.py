from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def staff_view(permission: str | None = None, *, policy: Callable[..., bool] | None = None):
    """Every staff page: signed in, second factor verified, and (optionally) one permission and one
    rule from ``policy.py`` (for example, only the city's administrators manage organisations).

    A password alone opens nothing but the second-factor step: no page that can show personal
    data is reachable without MFA.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            if not user.is_verified():
                return redirect(f"{reverse('accounts:mfa')}?next={request.path}")
            if permission and not user.has_perm(permission):
                raise PermissionDenied
            if policy is not None and not policy(user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.staff_view = True  # read by the test that walks every URL
        return wrapper

    return decorator


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
