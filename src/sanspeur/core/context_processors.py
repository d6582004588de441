from django.conf import settings
from django.utils.translation import get_language, get_language_bidi


def site(request):
    return {
        "city_name": settings.SANSPEUR_CITY_NAME,
        "current_language": get_language(),
        "is_rtl": get_language_bidi(),
    }
