"""Fixed lists of the clinics app: Montréal's boroughs, the services offered, languages spoken."""

from django.utils.translation import gettext_lazy as _

BOROUGHS = [
    "Ahuntsic-Cartierville",
    "Anjou",
    "Côte-des-Neiges–Notre-Dame-de-Grâce",
    "L'Île-Bizard–Sainte-Geneviève",
    "Lachine",
    "LaSalle",
    "Le Plateau-Mont-Royal",
    "Le Sud-Ouest",
    "Mercier–Hochelaga-Maisonneuve",
    "Montréal-Nord",
    "Outremont",
    "Pierrefonds-Roxboro",
    "Rivière-des-Prairies–Pointe-aux-Trembles",
    "Rosemont–La Petite-Patrie",
    "Saint-Laurent",
    "Saint-Léonard",
    "Verdun",
    "Ville-Marie",
    "Villeray–Saint-Michel–Parc-Extension",
]
BOROUGH_CHOICES = [(name, name) for name in BOROUGHS]

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
