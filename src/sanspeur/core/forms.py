from django import forms


class AccessibleFormMixin:
    """Marks invalid fields with aria-invalid and ties them to their error text and, when there is
    one, to their help text (includes/form_fields.html gives both ids from the field's own id, so a
    form with a prefix points at the right ones)."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            widget.attrs["aria-invalid"] = "true"
            auto_id = self[name].auto_id
            if not auto_id:
                continue
            described = [f"{auto_id}_error"]
            if self.fields[name].help_text:
                described.append(f"{auto_id}_helptext")
            widget.attrs["aria-describedby"] = " ".join(described)


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
