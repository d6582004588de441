from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context, staff: bool = False):
    """The current page in each language the page is offered in (a link, no cookie)."""
    request = context["request"]
    names = dict(settings.LANGUAGES)  # each language named in its own words, as the project spells it
    codes = settings.STAFF_LANGUAGES if staff else list(names)
    return [
        {
            "code": code,
            "name": names[code],
            "url": translate_url(request.get_full_path(), code),
            "bidi": get_language_info(code).get("bidi", False),
        }
        for code in codes
    ]


@register.simple_tag
def optional_url(name: str) -> str:
    """The URL of a page if that capability is installed, else an empty string."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name)
    except NoReverseMatch:
        return ""
