import base64

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp import login as otp_login

from sanspeur.core.selectors import audit_entry_list

from . import services
from .dashboard import tiles_for
from .decorators import safe_next, staff_view
from .forms import AuditFilterForm, LoginForm, OrganisationForm, TokenForm
from .policy import can_manage_organisations
from .roles import role_label
from .selectors import confirmed_totp_device, organisation_list_for, role_names, staff_profile_get


def lockout_response(request, credentials, *args, **kwargs):
    return render(request, "accounts/locked.html", status=429)


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request, None)
        if user is None:
            form.add_error(None, _("Wrong username or password."))
        else:
            login(request, user)
            return redirect(f"{reverse('accounts:mfa')}?next={safe_next(request, reverse('accounts:dashboard'))}")
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_http_methods(["GET", "POST"])
def mfa_view(request):
    """Second step of sign-in: verify the authenticator code, or enrol an authenticator first."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.user.is_verified():
        return redirect(safe_next(request, reverse("accounts:dashboard")))
    device = confirmed_totp_device(request.user)
    enrolling = device is None
    if enrolling:
        device = request.user.totpdevice_set.filter(confirmed=False).first()
        if device is None:
            device = services.totp_device_start(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _reason = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("Too many wrong codes. Wait a minute before trying again."))
        elif device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                services.totp_device_confirm(acting_user=request.user, device=device)
            otp_login(request, device)
            return redirect(safe_next(request, reverse("accounts:dashboard")))
        else:
            form.add_error("token", _("This code is not right. Check the time on your phone and try again."))
    context = {"form": form, "enrolling": enrolling, "next": request.GET.get("next", "")}
    if enrolling:
        context["secret"] = base64.b32encode(device.bin_key).decode("ascii")
        context["qr_data_uri"] = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
    return render(request, "accounts/mfa.html", context, status=400 if form.errors else 200)


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


@require_safe
@staff_view("accounts.view_audit")
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    entries = audit_entry_list()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        entries = audit_entry_list(
            actor_username=data["actor"],
            action=data["action"],
            object_type=data["object_type"],
            object_id=data["object_id"],
            since=data["since"],
            until=data["until"],
        )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/audit_list.html", {"form": form, "page": page, "query": query.urlencode()})


def _staff_member_or_404(request, user_id):
    from django.http import Http404

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
    from .selectors import organisations_for

    form = StaffCreateForm(request.POST or None, organisations=organisations_for(acting_user=request.user))
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
        messages.success(request, _("Account created. Give the temporary password to the person in person."))
        return redirect("accounts:staff_list")
    return render(request, "accounts/staff_form.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@staff_view("accounts.manage_staff")
def staff_detail(request, user_id):
    from .forms import StaffRolesForm

    member = _staff_member_or_404(request, user_id)
    form = StaffRolesForm(request.POST or None, initial={"roles": role_names(member)})
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "roles" and form.is_valid():
            services.staff_user_set_roles(acting_user=request.user, user=member, roles=form.cleaned_data["roles"])
            messages.success(request, _("Roles saved."))
            return redirect("accounts:staff_detail", user_id=member.pk)
        if action == "reset_mfa":
            services.mfa_reset(acting_user=request.user, user=member)
            messages.success(request, _("Authenticator removed. The person enrols a new one at next sign-in."))
            return redirect("accounts:staff_detail", user_id=member.pk)
        if action == "deactivate" and member.pk != request.user.pk:
            services.staff_user_deactivate(acting_user=request.user, user=member)
            messages.success(request, _("Account deactivated."))
            return redirect("accounts:staff_list")
    profile = staff_profile_get(acting_user=request.user, user=member)
    context = {"member": member, "profile": profile, "form": form, "has_mfa": confirmed_totp_device(member) is not None}
    return render(request, "accounts/staff_detail.html", context, status=400 if form.errors else 200)


@require_safe
@staff_view(policy=can_manage_organisations)
def organisation_list(request):
    organisations = organisation_list_for(acting_user=request.user)
    return render(request, "accounts/organisation_list.html", {"organisations": organisations})


@require_http_methods(["GET", "POST"])
@staff_view(policy=can_manage_organisations)
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
@staff_view(policy=can_manage_organisations)
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
