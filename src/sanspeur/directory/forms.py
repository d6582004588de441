from django import forms
from django.utils.translation import gettext_lazy as _

from sanspeur.core.forms import AccessibleFormMixin

from .services import EDITABLE_FIELDS

LABELS = {
    "name": _("Name"),
    "description": _("Description"),
    "eligibility_description": _("Who can use it"),
}
LANGS = {"fr": _("French"), "en": _("English")}


class ProposalForm(AccessibleFormMixin, forms.Form):
    """New texts for a service, in French (required) and English."""

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        for field in EDITABLE_FIELDS:
            for lang, lang_label in LANGS.items():
                widget = forms.TextInput if field == "name" else forms.Textarea(attrs={"rows": 3})
                self.fields[f"{field}_{lang}"] = forms.CharField(
                    label=f"{LABELS[field]} ({lang_label})",
                    required=(lang == "fr" and field != "eligibility_description"),
                    max_length=200 if field == "name" else 2000,
                    initial=(getattr(service, field) or {}).get(lang, ""),
                    widget=widget,
                )

    def changes(self, service) -> dict:
        result = {}
        for field in EDITABLE_FIELDS:
            texts = dict(getattr(service, field) or {})
            for lang in LANGS:
                value = self.cleaned_data[f"{field}_{lang}"].strip()
                if value:
                    texts[lang] = value
                else:
                    texts.pop(lang, None)
            result[field] = texts
        return result
