from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(public=True, max_age=300)
def home(request):
    return render(request, "core/home.html")


@require_safe
@cache_control(public=True, max_age=300)
def promise(request):
    return render(request, "core/promise.html")


@require_safe
def healthz(request):
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")


@require_safe
def robots(request):
    from django.conf import settings
    from django.http import HttpResponse

    lines = ["User-agent: *"]
    for code, _name in settings.LANGUAGES:
        lines += [f"Disallow: /{code}/staff/", f"Disallow: /{code}/protection/", f"Disallow: /{code}/cards/"]
    lines.append("")
    return HttpResponse("\n".join(lines), content_type="text/plain")


def _error(request, status: int, title: str, message: str):
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    return _error(
        request, 400, _("Bad request"), _("The request could not be understood. Please go back and try again.")
    )


def permission_denied(request, exception=None):
    return _error(request, 403, _("Access refused"), _("You do not have access to this page."))


def page_not_found(request, exception=None):
    return _error(request, 404, _("Page not found"), _("This page does not exist or is no longer available."))


def server_error(request):
    return _error(
        request, 500, _("Something went wrong"), _("The page could not be shown. Nothing was saved. Please try again.")
    )


def csrf_failure(request, reason=""):
    return _error(
        request,
        403,
        _("Form expired"),
        _(
            "This form has expired or was not sent from this site. "
            "Nothing was saved. Please reload the page and try again."
        ),
    )
