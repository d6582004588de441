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
