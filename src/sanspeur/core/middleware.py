from django.conf import settings


class PrivacyHeadersMiddleware:
    """Forget the client's address, and send the headers Django has no setting for.

    The address is blanked before any view or library can read it: nothing the public does is
    tied to an IP address, even by accident.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META["REMOTE_ADDR"] = "0.0.0.0"  # noqa: S104
        request.META.pop("HTTP_X_FORWARDED_FOR", None)
        request.META.pop("HTTP_X_REAL_IP", None)
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=(), payment=(), usb=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Staff pages may show personal data: never cached by the browser or a proxy.
            response["Cache-Control"] = "no-store, private"
            response.setdefault("X-Robots-Tag", "noindex, nofollow")
        return response


def staff_languages() -> tuple[str, ...]:
    return tuple(getattr(settings, "STAFF_LANGUAGES", ("fr", "en")))
