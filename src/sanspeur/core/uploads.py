"""A cap on the size of a request body, checked before the body is read."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse


def declared_length(request: HttpRequest) -> int | None:
    """The body size the client declared; None when it is not a number."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def body_limit(limit: int | Callable[[], int], *, refuse: Callable[[HttpRequest, int], HttpResponse]):
    """Refuse a request whose declared body is larger than ``limit`` bytes, without reading it.

    ``limit`` may be a callable (read at each request, so that a setting changed in tests is
    seen). ``refuse(request, limit)`` renders the translated answer (status 413); nothing of the
    body is parsed or saved. A body without a declared length is never read by Django (WSGI).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in ("POST", "PUT", "PATCH"):
                cap = limit() if callable(limit) else limit
                length = declared_length(request)
                if length is None or length > cap:
                    return refuse(request, cap)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
