"""Service-point profiles: which card fields a verifier shows for each kind of service.

The city configures them with the ``SANSPEUR_VERIFY_PROFILES`` setting (same shape as
``DEFAULT_PROFILES``); they are served in /verify/config.json and cached with the app.
A field not listed for a profile is never put in the page (data minimisation).
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Every field a profile may show. "age_18" is a yes/no computed in the browser; the
# date of birth itself is shown only by profiles that list "date_of_birth".
FIELDS = ("photo", "names", "expiry", "resident", "borough", "age_18", "date_of_birth")

DEFAULT_PROFILES = [
    {"id": "library", "label": _("Library"), "fields": ["photo", "names", "expiry"]},
    {"id": "food_bank", "label": _("Food bank"), "fields": ["photo", "resident", "borough"]},
    {"id": "age_check", "label": _("Age check (18 or older)"), "fields": ["photo", "age_18"]},
    {"id": "identity", "label": _("Identity"), "fields": ["photo", "names", "date_of_birth"]},
]


def profiles() -> list[dict]:
    configured = settings.SANSPEUR_VERIFY_PROFILES or DEFAULT_PROFILES
    result = []
    for profile in configured:
        fields = [field for field in profile["fields"] if field in FIELDS]
        result.append({"id": str(profile["id"]), "label": profile["label"], "fields": fields})
    return result
