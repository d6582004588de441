from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from sanspeur.core import formats
from sanspeur.directory import i18n

register = template.Library()


@register.simple_tag
def tr(texts):
    """The text in the visitor's language, or French marked lang="fr" with a visible note."""
    text = i18n.pick(texts)
    if not text.fallback:
        return text.value
    return format_html(
        '<span lang="{}" dir="{}">{}</span> <small class="dir-fallback">{}</small>',
        text.lang,
        "rtl" if text.lang == "ar" else "ltr",
        text.value,
        _("(in French)") if text.lang == "fr" else _("(in another language)"),
    )


@register.filter
def km(value):
    """A distance with one decimal in the page language ("2,5" in French)."""
    return number_format(value, decimal_pos=1)


@register.filter
def pick(texts):
    """Plain text in the visitor's language (French fallback), for places where markup can't go."""
    return i18n.pick(texts).value


# Weekday names in the page language (own msgids with a context, so the app's catalogs decide).
DAY_NAMES = {
    "MO": pgettext_lazy("weekday", "Monday"),
    "TU": pgettext_lazy("weekday", "Tuesday"),
    "WE": pgettext_lazy("weekday", "Wednesday"),
    "TH": pgettext_lazy("weekday", "Thursday"),
    "FR": pgettext_lazy("weekday", "Friday"),
    "SA": pgettext_lazy("weekday", "Saturday"),
    "SU": pgettext_lazy("weekday", "Sunday"),
}


@register.filter
def weekdays(byday: str) -> str:
    """ "MO,TU,WE,TH,FR" → "Monday to Friday"; "MO,WE" → "Monday, Wednesday" (page language)."""
    codes = [c.strip().upper() for c in (byday or "").split(",") if c.strip().upper() in DAY_NAMES]
    order = list(DAY_NAMES)
    codes = sorted(set(codes), key=order.index)
    if len(codes) == 7:
        return _("Every day")
    indexes = [order.index(c) for c in codes]
    if len(codes) >= 3 and indexes == list(range(indexes[0], indexes[0] + len(codes))):
        return _("%(first)s to %(last)s") % {"first": DAY_NAMES[codes[0]], "last": DAY_NAMES[codes[-1]]}
    return formats.join_list(DAY_NAMES[c] for c in codes)
