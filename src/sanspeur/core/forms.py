from django import forms


class AccessibleFormMixin:
    """Marks invalid fields with aria-invalid and ties them to their error text."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"id_{name}_error"


class BoundedForm(AccessibleFormMixin, forms.Form):
    pass


class LanguageTaggedMixin:
    """Options whose text is in another language than the page (a language's own name, a
    directory name not translated yet) carry their ``lang``: screen readers then pronounce them
    right, and the language crawl (tests/core/test_language_crawl.py) knows they are meant."""

    def __init__(self, *args, option_languages: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.option_languages: dict[str, str] = dict(option_languages or {})

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if lang := self.option_languages.get(str(value)):
            option["attrs"]["lang"] = lang
        return option


class LanguageTaggedSelect(LanguageTaggedMixin, forms.Select):
    pass


class LanguageTaggedCheckboxes(LanguageTaggedMixin, forms.CheckboxSelectMultiple):
    pass
