from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

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
    return f"{value:.1f}"


@register.filter
def pick(texts):
    """Plain text in the visitor's language (French fallback), for places where markup can't go."""
    return i18n.pick(texts).value
