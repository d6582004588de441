from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme

from .policy import has_capability


def signed_in_step(request):
    """The sign-in step a request still has to go through, as a redirect, or None once both
    factors are given: not signed in → sign-in; password only → second factor."""
    user = request.user
    if not user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    if not user.is_verified():
        return redirect(f"{reverse('accounts:mfa')}?next={request.path}")
    return None


def staff_view(permission: str | None = None, *, policy: Callable[..., bool] | None = None):
    """Every staff page: signed in, second factor verified, a password of one's own, and
    (optionally) one capability and one rule, both asked of ``policy.py``.

    A password alone opens nothing but the second-factor step: no page that can show personal
    data is reachable without MFA. A temporary password (chosen by an administrator) opens nothing
    but the password change, after the second factor. The capability is checked with its reach: a
    city-wide one is refused to a partner's account whatever its roles (``policy.has_capability``).

    Every answer, the page or a redirect, is marked ``Cache-Control: no-store, private``: a staff
    laptop, its browser's cache or a proxy keeps no copy of a page that may show a person's data.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return never_stored(_checked(request, *args, **kwargs))

        def _checked(request, *args, **kwargs):
            step = signed_in_step(request)
            if step is not None:
                return step
            user = request.user
            if user.must_change_password:
                return redirect(f"{reverse('accounts:password_change')}?next={request.path}")
            if permission and not has_capability(user, permission):
                raise PermissionDenied
            if policy is not None and not policy(user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.staff_view = True
        return wrapper

    return decorator


def never_stored(response):
    """No browser, history or proxy may keep this answer (staff pages, sign-in steps)."""
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


def safe_next(request, fallback: str) -> str:
    """The ``next`` page if it is a path of this site, else ``fallback``. Only absolute paths: any
    other text would be taken by ``redirect()`` for the name of a view."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback
