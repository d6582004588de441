from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.translation import get_language_info, gettext_lazy

from sanspeur.core import formats

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


# The main navigation of public pages: every public capability, in the order of the home page's
# tasks (docs/design.md "Header and main navigation"). A capability that is not installed is left out.
MAIN_NAV = (
    ("core:get_card", gettext_lazy("Get a card")),
    ("directory:search", gettext_lazy("Find a service")),
    ("clinics:public_list", gettext_lazy("Mobile clinics")),
    ("protection:home", gettext_lazy("Get help safely")),
    ("grants:call_list", gettext_lazy("Community grants")),
    ("outside_requests:transparency", gettext_lazy("Transparency")),
    ("impact:dashboard", gettext_lazy("Impact")),
    ("core:promise", gettext_lazy("Our promise")),
)


@register.simple_tag
def main_nav(path: str = "") -> list[dict]:
    """The main navigation's links; ``current`` on the one whose section holds ``path``."""
    links = []
    for name, label in MAIN_NAV:
        url = optional_url(name)
        if url:
            links.append({"url": url, "label": label, "current": bool(path) and path.startswith(url)})
    return links


@register.simple_tag
def optional_url(name: str) -> str:
    """The URL of a page if that capability is installed, else an empty string."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


# --- Bidirectional isolation and formats (sanspeur.core.formats; docs/design.md) ---------------
@register.filter
def phone(value):
    """``{{ number|phone }}``: a phone number as a link that dials it, left-to-right and isolated."""
    if value in (None, ""):
        return ""
    dial = "".join(c for c in str(value) if c.isdigit() or c == "+")
    return format_html('<a class="phone" href="tel:{}">{}</a>', dial, formats.ltr_html(value))


@register.filter
def ltr(value):
    """``{{ code|ltr }}``: a code, time or number, left-to-right and isolated."""
    return formats.ltr_html(value)


@register.filter
def bdi(value):
    """``{{ address|bdi }}``: a name or address isolated, direction from its own first letter."""
    return formats.bdi_html(value)


@register.filter
def ltr_text(value):
    """The same as ``ltr`` for plain text (e-mails) and attributes: Unicode isolates."""
    return formats.ltr_plain(value)


@register.filter
def bdi_text(value):
    return formats.bdi_plain(value)


@register.filter
def listing(values):
    """``{{ names|listing }}``: joined with the page language's separator, each item isolated."""
    return formats.list_html(values or [])


@register.filter
def listing_text(values):
    return formats.join_list(values or [])


@register.filter
def languages(pairs):
    """``{{ event.spoken_languages|languages }}``: (code, name) pairs, each name with its ``lang``."""
    return formats.languages_html(pairs or [])


@register.filter
def long_date(value, name: str = "LONG_DATE_FORMAT"):
    """``{{ d|long_date }}`` or ``{{ d|long_date:"DAY_MONTH_FORMAT" }}``, "1er" where it applies."""
    return formats.date_text(value, name)


@register.filter
def local_time(value):
    return formats.time_text(value)


@register.simple_tag
def time_range(start, end, text: bool = False):
    """``{% time_range a b %}``: "13:00–13:50" in the page's time format, one isolated LTR unit
    (``text=True``: with Unicode isolates, for e-mails and attributes)."""
    value = formats.range_text(formats.time_text(start), formats.time_text(end))
    return formats.ltr_plain(value) if text else formats.ltr_html(value)


@register.simple_tag
def sep():
    """The page language's list separator (", " or the Arabic "، "), between two inserted values."""
    return formats.fmt("LIST_SEPARATOR")


@register.filter
def percent(value):
    """``{{ share|percent }}``: "12,5 %" (fr) or "12.5%" (en), isolated left to right."""
    if value in (None, ""):
        return ""
    return formats.ltr_html(formats.percent_text(value))
