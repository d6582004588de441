import base64

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp import login as otp_login

from sanspeur.core.pages import window_page
from sanspeur.core.selectors import audit_entry_list

from . import audit_log, lockout, policy, services
from .dashboard import tiles_for
from .decorators import safe_next, signed_in_step, staff_view
from .forms import AuditFilterForm, LoginForm, OrganisationForm, PasswordChangeForm, TokenForm
from .roles import role_label
from .selectors import (
    confirmed_totp_device,
    organisation_list_for,
    role_names,
    staff_profile_get,
    unconfirmed_totp_device,
)

# The enrolment link a browser opened, until the authenticator is confirmed.
ENROLMENT_LINK_SESSION_KEY = "accounts_enrolment_link"


def lockout_response(request, *, trusted: bool = False):
    return render(request, "accounts/locked.html", {"trusted": trusted}, status=429)


@never_cache  # no sign-in step is kept by a browser or a proxy (one shows an authenticator secret)
@require_http_methods(["GET", "POST"])
def login_view(request):
    """First step: the password. Counted per account and per browser (``lockout.py``); a success
    renews the session key, whoever was signed in before in this browser."""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        gate = lockout.gate_for(request, username)
        if gate.locked():
            return lockout_response(request, trusted=gate.trusted)
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            if gate.failed(username=username):
                return lockout_response(request, trusted=gate.trusted)
            form.add_error(None, _("Wrong username or password."))
        else:
            gate.succeeded()
            link_id = request.session.get(ENROLMENT_LINK_SESSION_KEY)
            login(request, user)
            request.session.cycle_key()  # login() keeps the key when the same person signs in again
            if link_id:
                request.session[ENROLMENT_LINK_SESSION_KEY] = link_id
            return redirect(f"{reverse('accounts:mfa')}?next={safe_next(request, reverse('accounts:dashboard'))}")
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@never_cache
@require_safe
def enrol_link(request, token):
    """The one-time link an administrator gives after removing an authenticator. It opens nothing
    by itself: it marks this browser's session, then the person signs in with their password and
    enrols the new authenticator on the second-factor page."""
    link = services.enrolment_link_get(token=token)
    if link is None:
        return render(request, "accounts/enrol_link_invalid.html", status=404)
    if request.user.is_authenticated and request.user.pk != link.user_id:
        logout(request)
    request.session[ENROLMENT_LINK_SESSION_KEY] = link.pk
    if request.user.is_authenticated:
        return redirect("accounts:mfa")
    messages.info(request, _("Sign in with your password, then set up your new authenticator."))
    return redirect("accounts:login")


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_view(request):
    """Second step of sign-in: verify the authenticator code, or enrol an authenticator first.

    A first authenticator is enrolled with the password alone (a new account, the bootstrap's
    administrator); any later one also needs the one-time link of ``enrol_link``.
    """
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.user.is_verified():
        return redirect(safe_next(request, reverse("accounts:dashboard")))
    device = confirmed_totp_device(request.user)
    enrolling = device is None
    link_id = request.session.get(ENROLMENT_LINK_SESSION_KEY)
    if enrolling:
        if not services.enrolment_allowed(user=request.user, link_id=link_id):
            return render(request, "accounts/enrol_link_needed.html", status=403)
        device = unconfirmed_totp_device(request.user)
        if device is None:
            device = services.totp_device_start(acting_user=request.user, user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _reason = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("Too many wrong codes. Wait a minute before trying again."))
        elif device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                try:
                    services.totp_device_confirm(acting_user=request.user, device=device, link_id=link_id)
                except services.EnrolmentRefused:
                    return render(request, "accounts/enrol_link_needed.html", status=403)
                request.session.pop(ENROLMENT_LINK_SESSION_KEY, None)
            otp_login(request, device)
            request.session.cycle_key()
            response = redirect(safe_next(request, reverse("accounts:dashboard")))
            lockout.remember_device(request, response, request.user)
            return response
        else:
            form.add_error("token", _("This code is not right. Check the time on your phone and try again."))
    context = {"form": form, "enrolling": enrolling, "next": request.GET.get("next", "")}
    if enrolling:
        context["secret"] = base64.b32encode(device.bin_key).decode("ascii")
        context["qr_data_uri"] = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
    return render(request, "accounts/mfa.html", context, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request):
    """Choose one's own password: after both factors (a temporary password alone cannot change the
    password), and required while the password is one an administrator chose."""
    step = signed_in_step(request)
    if step is not None:
        return step
    form = PasswordChangeForm(request.POST or None, user=request.user)
    if request.method == "POST":
        # Wrong current passwords count like wrong sign-ins (a session left open is not a free
        # guessing machine); a lock ends the session.
        gate = lockout.gate_for(request, request.user.get_username())
        if gate.locked():
            logout(request)
            return lockout_response(request, trusted=gate.trusted)
        if form.is_valid():
            services.staff_password_change(
                acting_user=request.user, user=request.user, password=form.cleaned_data["new_password1"]
            )
            update_session_auth_hash(request, request.user)  # renews the key; other sessions end
            messages.success(request, _("Your password is changed."))
            return redirect(safe_next(request, reverse("accounts:dashboard")))
        if "old_password" in form.errors and gate.failed(username=request.user.get_username()):
            logout(request)
            return lockout_response(request, trusted=gate.trusted)
    context = {"form": form, "required": request.user.must_change_password, "next": request.GET.get("next", "")}
    return render(request, "accounts/password_change.html", context, status=400 if form.errors else 200)


@require_POST
def logout_view(request):
    logout(request)
    messages.success(request, _("You are signed out."))
    return redirect("accounts:login")


@require_safe
@staff_view()
def dashboard(request):
    profile = staff_profile_get(acting_user=request.user, user=request.user)
    roles = [role_label(name) for name in role_names(request.user)]
    return render(
        request, "accounts/dashboard.html", {"profile": profile, "roles": roles, "tiles": tiles_for(request.user)}
    )


AUDIT_PAGE_SIZE = 25  # a screen or two of entries; narrow with the filters rather than paging deep


@require_safe
@staff_view("accounts.view_audit")
def audit_list(request):
    """The audit trail, newest first. A filter that does not validate shows its error and no entry:
    never the unfiltered trail in its place."""
    form = AuditFilterForm(request.GET or None)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "query": query.urlencode(), "rows": [], "page": None}
    if form.is_bound and not form.is_valid():
        return render(request, "accounts/audit_list.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    entries = audit_entry_list(
        actor_username=data.get("actor", ""),
        action=data.get("action", ""),
        object_type=data.get("object_type", ""),
        object_id=data.get("object_id", ""),
        since=data.get("since"),
        until=data.get("until"),
    )
    page = window_page(entries, request.GET.get("page"), AUDIT_PAGE_SIZE)
    context.update(page=page, rows=audit_log.rows_for(page, reader=request.user))
    return render(request, "accounts/audit_list.html", context)


def _staff_member_or_404(request, user_id):
    from .selectors import staff_list_for

    member = staff_list_for(acting_user=request.user).filter(pk=user_id).first()
    if member is None:
        raise Http404
    return member


@require_safe
@staff_view("accounts.manage_staff")
def staff_list(request):
    from .selectors import staff_list_for

    members = [
        {"user": member, "roles": [role_label(group.name) for group in member.groups.all()]}
        for member in staff_list_for(acting_user=request.user)
    ]
    return render(request, "accounts/staff_list.html", {"members": members})


@require_http_methods(["GET", "POST"])
@staff_view("accounts.manage_staff")
def staff_create(request):
    from .forms import StaffCreateForm

    form = StaffCreateForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.staff_user_create(
            acting_user=request.user,
            username=data["username"],
            password=data["password"],
            organisation=data["organisation"],
            roles=data["roles"],
            full_name=data["full_name"],
            email=data["email"],
        )
        messages.success(
            request,
            _(
                "Account created. Give the temporary password to the person in person: they choose their own "
                "at first sign-in."
            ),
        )
        return redirect("accounts:staff_list")
    return render(request, "accounts/staff_form.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@staff_view("accounts.manage_staff")
def staff_detail(request, user_id):
    """One account: its roles, its authenticator, its state. Nobody changes their own here: the
    policy refuses roles, reset and deactivation of one's own account (403)."""
    from .forms import StaffRolesForm

    member = _staff_member_or_404(request, user_id)
    manageable = policy.administers_account(request.user, member)
    form = StaffRolesForm(
        request.POST or None, acting_user=request.user, member=member, initial={"roles": role_names(member)}
    )
    if request.method == "POST":
        action = request.POST.get("action")  # the services refuse one's own account (policy): 403
        if action == "roles" and form.is_valid():
            services.staff_user_set_roles(acting_user=request.user, user=member, roles=form.cleaned_data["roles"])
            messages.success(request, _("Roles saved."))
            return redirect("accounts:staff_detail", user_id=member.pk)
        if action == "reset_mfa":
            token, link = services.mfa_reset(acting_user=request.user, user=member)
            url = request.build_absolute_uri(reverse("accounts:enrol", kwargs={"token": token}))
            context = {"member": member, "link_url": url, "path": reverse("accounts:enrol", kwargs={"token": token})}
            context["expires_at"] = link.expires_at
            return render(request, "accounts/enrol_link_issued.html", context)
        if action == "deactivate":
            services.staff_user_deactivate(acting_user=request.user, user=member)
            messages.success(request, _("Account deactivated."))
            return redirect("accounts:staff_list")
    profile = staff_profile_get(acting_user=request.user, user=member)
    context = {
        "member": member,
        "profile": profile,
        "form": form,
        "manageable": manageable,
        "role_labels": [role_label(name) for name in role_names(member)],
        "has_mfa": confirmed_totp_device(member) is not None,
    }
    return render(request, "accounts/staff_detail.html", context, status=400 if form.errors else 200)


@require_safe
@staff_view(policy=policy.can_manage_organisations)
def organisation_list(request):
    organisations = organisation_list_for(acting_user=request.user)
    return render(request, "accounts/organisation_list.html", {"organisations": organisations})


@require_http_methods(["GET", "POST"])
@staff_view(policy=policy.can_manage_organisations)
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = services.organisation_create(
            acting_user=request.user, name=data["name"], kind=data["kind"], borough=data["borough"]
        )
        messages.success(
            request,
            _("%(name)s is added. You can now create its staff accounts.") % {"name": organisation.name},
        )
        return redirect("accounts:organisation_list")
    context = {"form": form, "organisation": None}
    return render(request, "accounts/organisation_form.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@staff_view(policy=policy.can_manage_organisations)
def organisation_edit(request, organisation_id):
    organisation = get_object_or_404(organisation_list_for(acting_user=request.user), pk=organisation_id)
    action = request.POST.get("action") if request.method == "POST" else None
    form = OrganisationForm(
        request.POST if action == "save" else None,
        organisation=organisation,
        initial={"name": organisation.name, "borough": organisation.borough},
    )
    if action == "save" and form.is_valid():
        services.organisation_update(
            acting_user=request.user,
            organisation=organisation,
            name=form.cleaned_data["name"],
            borough=form.cleaned_data["borough"],
        )
        messages.success(request, _("Changes saved."))
        return redirect("accounts:organisation_list")
    if action in ("deactivate", "reactivate"):
        if action == "deactivate" and organisation.kind == organisation.Kind.CITY:
            raise PermissionDenied
        services.organisation_update(
            acting_user=request.user, organisation=organisation, is_active=action == "reactivate"
        )
        if action == "deactivate":
            messages.success(request, _("Organisation deactivated. No new staff account can be attached to it."))
        else:
            messages.success(request, _("Organisation reactivated."))
        return redirect("accounts:organisation_edit", organisation_id=organisation.pk)
    context = {"form": form, "organisation": organisation}
    return render(request, "accounts/organisation_form.html", context, status=400 if form.errors else 200)
