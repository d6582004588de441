"""View decorators shared by the apps' anonymous public pages."""

from functools import wraps

from django.http import HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt


def public_view(view):
    """No cookie (CSRF is replaced by a same-origin check), nothing cached, nothing indexed.

    For anonymous pages that take a POST (booking, protection reports): Django's CSRF cookie would be
    the only cookie they set, so a cross-origin POST is refused by its ``Origin`` header instead.
    """

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            origin = request.headers.get("Origin")
            if origin and origin not in ("null", f"{request.scheme}://{request.get_host()}"):
                return HttpResponseForbidden()
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper
