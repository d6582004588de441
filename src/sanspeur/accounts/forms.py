from django import forms
from django.utils.translation import gettext_lazy as _

from sanspeur.core.boroughs import BOROUGH_CHOICES
from sanspeur.core.forms import AccessibleFormMixin
from sanspeur.core.widgets import ThreeFieldDateField

# Usernames are work identifiers (agent.cdn2): the web form and `sanspeur bootstrap` share this rule.
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{2,49}$"


class LoginForm(AccessibleFormMixin, forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(AccessibleFormMixin, forms.Form):
    token = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("Enter the six digits shown by your authenticator app.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self) -> str:
        return self.cleaned_data["token"].strip()


class AuditFilterForm(AccessibleFormMixin, forms.Form):
    actor = forms.CharField(label=_("Staff username"), max_length=150, required=False)
    action = forms.CharField(label=_("Action starts with"), max_length=64, required=False)
    object_type = forms.CharField(label=_("Object type"), max_length=64, required=False)
    object_id = forms.CharField(label=_("Object ID"), max_length=64, required=False)
    since = ThreeFieldDateField(label=_("Start date"), required=False)
    until = ThreeFieldDateField(label=_("End date"), required=False)

    def clean_action(self):
        from sanspeur.core.actions import AUDIT_ACTIONS

        action = self.cleaned_data["action"].strip()
        if action and not any(name.startswith(action) for name in AUDIT_ACTIONS):
            raise forms.ValidationError(
                _("No action name starts with this. Use a name shown in the trail, such as staff.create.")
            )
        return action

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            raise forms.ValidationError(_("The start date must come before the end date."))
        return cleaned


def role_choices(roles=None):
    from .roles import ROLES

    return [(name, label) for name, (label, _perms) in ROLES.items() if roles is None or name in roles]


class StaffCreateForm(AccessibleFormMixin, forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        regex=USERNAME_PATTERN,
        max_length=50,
        help_text=_("A work identifier such as agent.cdn2: lower-case letters, digits, dots, hyphens."),
        error_messages={"invalid": _("Use 3 to 50 lower-case letters, digits, dots or hyphens.")},
    )
    # A person's name and e-mail: the staff laptop's autofill keeps none of them.
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    email = forms.EmailField(
        label=_("Work e-mail"), max_length=254, required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=role_choices, widget=forms.CheckboxSelectMultiple)
    password = forms.CharField(
        label=_("Temporary password"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 12 characters. At first sign-in, the person enrols an authenticator, then chooses "
            "their own password."
        ),
    )

    def __init__(self, *args, acting_user, **kwargs):
        from . import policy

        super().__init__(*args, **kwargs)
        self.acting_user = acting_user
        self.fields["organisation"].queryset = policy.organisations_administered(acting_user)
        # Only the roles this administrator may give to some organisation they administer.
        offered = set()
        for organisation in self.fields["organisation"].queryset:
            offered |= set(policy.roles_grantable(acting_user, organisation))
        self.fields["roles"].choices = role_choices(offered)

    def clean_username(self):
        from .models import User

        username = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("This username is already taken."))
        return username

    def clean_password(self):
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data["password"]
        validate_password(password)
        return password

    def clean(self):
        from . import policy

        cleaned = super().clean()
        organisation, roles = cleaned.get("organisation"), cleaned.get("roles") or []
        if organisation is not None:
            refused = [role for role in roles if role not in policy.roles_grantable(self.acting_user, organisation)]
            if refused:
                self.add_error("roles", _cannot_hold(organisation, refused))
        return cleaned


def _cannot_hold(organisation, roles) -> str:
    from .roles import role_label

    return _("An account of %(organisation)s cannot hold these roles: %(roles)s. Choose other roles.") % {
        "organisation": organisation.name,
        "roles": ", ".join(role_label(role) for role in roles),
    }


class StaffRolesForm(AccessibleFormMixin, forms.Form):
    """The roles an administrator may give this account: those its organisation's kind may hold."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=role_choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, acting_user, member, **kwargs):
        from . import policy

        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = role_choices(policy.roles_grantable(acting_user, member.organisation))


class PasswordChangeForm(AccessibleFormMixin, forms.Form):
    """The person's own new password; the current one proves it is them at the keyboard."""

    old_password = forms.CharField(
        label=_("Current password"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters, not the temporary password. Only you know it."),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_old_password(self):
        password = self.cleaned_data["old_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your current password."))
        return password

    def clean(self):
        from django.contrib.auth.password_validation import validate_password

        cleaned = super().clean()
        new, again = cleaned.get("new_password1"), cleaned.get("new_password2")
        if new and again and new != again:
            self.add_error("new_password2", _("The two new passwords differ. Type the same one twice."))
        elif new and new == cleaned.get("old_password"):
            self.add_error("new_password1", _("Choose a password different from the current one."))
        elif new:
            try:
                validate_password(new, self.user)
            except forms.ValidationError as error:
                self.add_error("new_password1", error)
        return cleaned


class OrganisationForm(AccessibleFormMixin, forms.Form):
    """Name and borough of a partner organisation or service point; the kind is chosen once, at creation."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        widget=forms.RadioSelect,
        help_text=_("A partner community organisation enrolls residents; a service point only verifies cards."),
    )
    borough = forms.ChoiceField(label=_("Borough"), required=False)

    def __init__(self, *args, organisation=None, **kwargs):
        from .models import Organisation

        self.organisation = organisation
        super().__init__(*args, **kwargs)
        # The city's own organisation is made once, by `sanspeur bootstrap`; this page adds the others.
        self.fields["kind"].choices = [
            (kind.value, kind.label) for kind in (Organisation.Kind.PARTNER, Organisation.Kind.SERVICE_POINT)
        ]
        self.fields["borough"].choices = [("", _("No borough (serves the whole city)")), *BOROUGH_CHOICES]
        if organisation is not None:
            del self.fields["kind"]

    def clean_name(self) -> str:
        from .models import Organisation

        name = " ".join(self.cleaned_data["name"].split())
        others = Organisation.objects.filter(name__iexact=name)
        if self.organisation is not None:
            others = others.exclude(pk=self.organisation.pk)
        if others.exists():
            raise forms.ValidationError(_("An organisation already has this name. Choose another name."))
        return name
