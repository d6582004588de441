from django.conf import settings
from django.utils.translation import get_language, get_language_bidi


def site(request):
    return {
        "city_name": settings.SANSPEUR_CITY_NAME,
        "current_language": get_language(),
        "is_rtl": get_language_bidi(),
        "phones": {
            "emergency": settings.SANSPEUR_EMERGENCY_PHONE,
            "community": settings.SANSPEUR_COMMUNITY_PHONE,
            "city": settings.SANSPEUR_CITY_PHONE,
        },
        "city_contact_url": settings.SANSPEUR_CITY_CONTACT_URL,
    }
