from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context, staff: bool = False):
    """The current page in each language the page is offered in (a link, no cookie)."""
    request = context["request"]
    codes = settings.STAFF_LANGUAGES if staff else [code for code, _ in settings.LANGUAGES]
    links = []
    for code in codes:
        info = get_language_info(code)
        links.append(
            {
                "code": code,
                "name": info["name_local"],
                "url": translate_url(request.get_full_path(), code),
                "bidi": info.get("bidi", False),
            }
        )
    return links
