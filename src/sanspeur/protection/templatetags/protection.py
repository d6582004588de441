"""The "if you are in immediate danger" block of the protection unit's public pages."""

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("protection/danger.html")
def immediate_danger():
    """The emergency number and the 24-hour crisis lines (settings; an empty one is not shown)."""
    return {
        "emergency": settings.SANSPEUR_EMERGENCY_PHONE,
        "violence": settings.SANSPEUR_PROTECTION_VIOLENCE_LINE,
        "psychosocial": settings.SANSPEUR_PROTECTION_PSYCHOSOCIAL_LINE,
        "suicide": settings.SANSPEUR_PROTECTION_SUICIDE_LINE,
    }
