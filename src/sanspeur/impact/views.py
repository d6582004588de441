"""Impact pages: the public dashboard, release pages, method, errata and open data (published
releases only, fixed cuts, no filter taken from the address); the statisticians' staff pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sanspeur.accounts.decorators import staff_view
from sanspeur.accounts.policy import (
    approves_statistics,
    may_approve_statistics_release,
    prepares_statistics,
    works_on_statistics,
)
from sanspeur.core.transitions import InvalidTransition

from . import catalogue, opendata, presentation, report, selectors, services
from .forms import PrepareForm
from .models import Release


# --- Public ------------------------------------------------------------------------------------------
def _panels():
    panels = []
    for panel in selectors.dashboard():
        title = str(panel.indicator.title)
        panels.append(
            {
                "indicator": panel.indicator,
                "year": panel.year,
                "quarters": panel.quarters,
                "rows": presentation.rows_of(panel.year) if panel.year else [],
                "chart": (
                    presentation.chart_for_release(panel.year)
                    if panel.year and len(panel.year.cells) > 1
                    else presentation.chart_for_series(panel.quarters, title=title)
                ),
                "quarter_rows": [
                    presentation.Row(presentation.period_label(r.period), r.cells[0]["value"], r.cells[0]["status"])
                    for r in panel.quarters
                    if r.cells
                ],
            }
        )
    return panels


@require_GET
def dashboard(request):
    return render(request, "impact/dashboard.html", {"panels": _panels()})


@require_GET
def release(request, slug):
    found = selectors.release_by_slug(slug)
    if found is None:
        raise Http404
    return render(
        request,
        "impact/release.html",
        {
            "release": found,
            "indicator": catalogue.get(found.indicator),
            "rows": presentation.rows_of(found),
            "chart": presentation.chart_for_release(found),
            "superseded": selectors.is_superseded(found),
        },
    )


@require_GET
def method(request):
    return render(
        request,
        "impact/method.html",
        {
            "indicators": catalogue.indicators(),
            "units": [(code, label, budget) for code, (label, budget) in catalogue.PRIVACY_UNITS.items() if budget],
            "budgets": selectors.budget_lines(timezone.localdate().year - 1),
        },
    )


@require_GET
def errata(request):
    return render(request, "impact/errata.html", {"corrections": selectors.errata()})


@require_GET
def data_index(request):
    return render(
        request,
        "impact/data_index.html",
        {"releases": selectors.all_published(), "report_years": report.report_years()[:20]},
    )


# --- Open data (no language prefix) ------------------------------------------------------------------------
def _open_file(content: bytes, content_type: str, *, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site or notebook may read it
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _published_or_404(slug) -> Release:
    found = selectors.release_by_slug(slug)
    if found is None:
        raise Http404
    return found


@require_GET
def data_csv(request, slug):
    found = _published_or_404(slug)
    return _open_file(opendata.release_csv(found), "text/csv; charset=utf-8", name=f"{slug}.csv")


@require_GET
def data_json(request, slug):
    found = _published_or_404(slug)
    return _open_file(opendata.dumps(opendata.release_json(found)), "application/json", name=f"{slug}.json")


@require_GET
def data_schema(request, slug):
    found = _published_or_404(slug)
    return _open_file(opendata.dumps(opendata.data_package(found)), "application/json", name=f"{slug}.schema.json")


@require_GET
def data_catalog(request):
    return _open_file(opendata.dumps(opendata.catalog()), "application/json", name="catalog.json")


@require_GET
def data_report(request, year, language, signature=False):
    """The yearly report (PDF, French or English) and its detached signature."""
    if language not in report.REPORT_LANGUAGES or year not in report.report_years():
        raise Http404
    name = report.report_name(year, language)
    pdf = report.report_pdf(year, language=language)
    if signature:
        from sanspeur.core.publications import sign_file

        return _open_file(sign_file(name, pdf).encode("ascii"), "application/jose", name=f"{name}.jws")
    return _open_file(pdf, "application/pdf", name=name)


# --- Staff -------------------------------------------------------------------------------------------------
@staff_view(policy=works_on_statistics)
@require_GET
def staff_list(request):
    year = timezone.localdate().year
    return render(
        request,
        "impact/staff_list.html",
        {
            "releases": selectors.staff_releases(),
            "budgets": selectors.budget_lines(year - 1) + selectors.budget_lines(year),
            "can_prepare": prepares_statistics(request.user),
            "due": [
                (catalogue.get(code).title, period)
                for code, period in selectors.releases_due(today=timezone.localdate())
            ],
        },
    )


@staff_view(policy=prepares_statistics)
def staff_prepare(request):
    form = PrepareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            prepared = services.release_prepare(
                acting_user=request.user,
                indicator=form.cleaned_data["indicator"],
                period=form.cleaned_data["period"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The release is prepared. A second person must approve it."))
            return redirect("impact:staff_release", slug=prepared.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "impact/staff_prepare.html", {"form": form}, status=status)


def _staff_release_or_404(slug) -> Release:
    found = Release.objects.filter(slug=slug).select_related("prepared_by", "approved_by", "corrects").first()
    if found is None:
        raise Http404
    return found


@staff_view(policy=works_on_statistics)
@require_GET
def staff_release(request, slug):
    found = _staff_release_or_404(slug)
    return render(
        request,
        "impact/staff_release.html",
        {
            "release": found,
            "rows": presentation.rows_of(found),
            "may_approve": found.state == "draft" and may_approve_statistics_release(request.user, release=found),
            "own": found.prepared_by_id == request.user.pk,
            "approver": approves_statistics(request.user),
        },
    )


@staff_view(policy=works_on_statistics)
@require_POST
def staff_action(request, slug, action):
    found = _staff_release_or_404(slug)
    try:
        if action == "approve":
            services.release_approve(acting_user=request.user, release=found)
            messages.success(request, _("The release is published."))
        elif action == "discard":
            services.release_discard(acting_user=request.user, release=found)
            messages.success(request, _("The draft is discarded; its privacy budget stays spent."))
        else:
            raise Http404
    except PermissionDenied:
        messages.error(request, _("A release is approved by someone other than the person who prepared it."))
    except (InvalidTransition, ValidationError):
        messages.error(request, _("This release has changed since the page was shown."))
    return redirect("impact:staff_release", slug=found.slug)
