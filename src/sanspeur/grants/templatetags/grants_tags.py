from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sanspeur.core import formats
from sanspeur.directory import i18n

register = template.Library()


@register.simple_tag
def tr(texts):
    """A call's text (fr/en) in the visitor's language; else French (or English), marked with its
    ``lang`` and a visible note, so that no other language passes for the page's."""
    text = i18n.pick(texts)
    if not text.fallback:
        return text.value
    return format_html(
        '<span lang="{}" dir="ltr">{}</span> <small class="grants-fallback">{}</small>',
        text.lang,
        text.value,
        _("(in French)") if text.lang == "fr" else _("(in English)"),
    )


@register.filter
def pick(texts):
    return i18n.pick(texts).value


@register.filter
def money(value):
    """CAD amounts: "1 900 000 $" (fr, es, ht), "$1,900,000" (en), isolated left to right."""
    if value in (None, ""):
        return ""
    amount = Decimal(value)
    places = 0 if amount == amount.to_integral_value() else 2
    number = number_format(abs(amount), decimal_pos=places, force_grouping=True)
    sign = "-" if amount < 0 else ""
    text = f"{sign}${number}" if (get_language() or "fr").startswith("en") else f"{sign}{number}\u00a0$"
    return formats.ltr_html(text)


@register.filter
def percent(value):
    """A whole percentage: "49%" in English, "49 %" (a no-break space) in the other languages."""
    if value in (None, ""):
        return ""
    text = f"{value}%" if (get_language() or "fr").startswith("en") else f"{value}\u00a0%"
    return formats.ltr_html(text)


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def years(call):
    """ "2024–2026": one left-to-right unit, so that an Arabic page does not reverse the range."""
    return formats.ltr_html(formats.range_text(str(call.first_year), str(call.last_year)))
