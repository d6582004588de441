"""The anonymous public pages that take a POST (a booking, a report): no cookie, so no CSRF token;
a same-origin check on the ``Origin`` header instead, as strict as Django's.

It replaced an earlier decorator that let ``Origin: null`` through; every public page uses this one.
``null`` is the origin of a sandboxed iframe, a ``data:`` URL or a page that hid its origin: a page
on any site can make its form post carry it, so accepting it let any site post our public forms
from a person's browser. Django's CSRF check refuses it (``REASON_BAD_ORIGIN``) on every other form
of the site. It was accepted because these pages sent ``Referrer-Policy: no-referrer``, with which
Chromium sends ``Origin: null`` even on a same-origin post; they now send ``same-origin``, like
every other page (settings.SECURE_REFERRER_POLICY): other sites still never get a referrer, and
our own forms carry their real origin.

A request without any ``Origin`` (a browser too old to send it, a script outside any browser) is
still accepted: a cross-site post from a person's browser always carries one.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt


def origin_refused(request) -> bool:
    """A POST whose ``Origin`` is not this site's (``null`` included)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    return origin != f"{request.scheme}://{request.get_host()}"


def public_view(view):
    """No cookie (CSRF replaced by the same-origin check), nothing cached, nothing indexed.

    A refused POST gets the site's CSRF failure page (403, translated), like a form whose token
    failed: the view never runs.
    """

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and origin_refused(request):
            failure = import_string(settings.CSRF_FAILURE_VIEW)
            response = failure(request, reason="Origin checking failed - the origin is not this site.")
        else:
            response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper
