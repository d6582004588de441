from django.conf import settings

from .selectors import idle_timeout_for


class StaffSessionMiddleware:
    """Idle timeout per role: each request pushes the expiry forward by the role's limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.session.set_expiry(idle_timeout_for(user, settings.SESSION_COOKIE_AGE))
        return self.get_response(request)
