from django.apps import apps
from django.shortcuts import render
from django.utils.translation import get_language
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
@cache_control(public=True, max_age=300)
def get_card(request):
    """How and where to get a card: what to bring is the desk's own rules (cards app), read-only;
    where and when are the next published clinics that enroll (clinics app), read-only."""
    from sanspeur.cards.selectors import document_rules

    rules = document_rules(language=get_language())
    context = {
        "rules": rules,
        "photo_documents": [d for d in rules.documents if d.photo],
        "birth_documents": [d for d in rules.documents if d.birth_date],
        "identity_documents": [d for d in rules.documents if d.identity_points],
        "residence_documents": [d for d in rules.documents if d.residence_points],
        "events": [],
        "clinics": apps.is_installed("sanspeur.clinics"),
    }
    if context["clinics"]:
        from sanspeur.clinics.constants import ServiceKind
        from sanspeur.clinics.selectors import location_label, public_events

        events = public_events(service=ServiceKind.ENROLLMENT).order_by("date", "start_time")[:GET_CARD_EVENTS]
        context["events"] = [{"event": event, "location": location_label(event)} for event in events]
        context["enrollment_service"] = ServiceKind.ENROLLMENT
    return render(request, "core/get_card.html", context)


GET_CARD_EVENTS = 5  # the next clinics that enroll, on the "get a card" page


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
    user = getattr(request, "user", None)
    staff = bool(user is not None and user.is_authenticated)
    return render(
        request,
        "core/error.html",
        {"title": title, "message": message, "layout": "staff_base.html" if staff else "base.html", "staff": staff},
        status=status,
    )


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
