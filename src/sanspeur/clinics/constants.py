"""Fixed lists of the clinics app: the services offered, languages spoken (boroughs: sanspeur.core.boroughs)."""

from django.utils.translation import gettext_lazy as _

# Languages a clinic's team can speak: each named in its own words, so a reader finds their own.
SPOKEN_LANGUAGES = [
    ("fr", "Français"),
    ("en", "English"),
    ("es", "Español"),
    ("ar", "العربية"),
    ("ht", "Kreyòl ayisyen"),
    ("pt", "Português"),
    ("zh", "中文"),
    ("vi", "Tiếng Việt"),
    ("fa", "فارسی"),
    ("ta", "தமிழ்"),
    ("uk", "Українська"),
    ("ru", "Русский"),
    ("tl", "Tagalog"),
    ("sw", "Kiswahili"),
]
SPOKEN_LANGUAGE_NAMES = dict(SPOKEN_LANGUAGES)


class ServiceKind:
    ENROLLMENT = "enrollment"
    VACCINATION = "vaccination"
    LEGAL = "legal_info"
    SCREENING = "health_screening"
    FOOD = "food_aid"
    TAX = "tax_help"

    choices = [
        (ENROLLMENT, _("Card enrollment")),
        (VACCINATION, _("Vaccination")),
        (LEGAL, _("Legal information")),
        (SCREENING, _("Health screening")),
        (FOOD, _("Food aid")),
        (TAX, _("Tax return help")),
    ]
