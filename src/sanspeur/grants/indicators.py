"""The funding program's figures for the impact catalogue (impact/catalogue.py), registered from
``GrantsConfig.ready`` so that the impact app never imports this one.

- projects funded and the amount awarded: decisions of the year, about organisations and money,
  published exactly;
- people reached: what funded organisations reported in their accepted progress reports (counts by
  type of service, already rounded to 5 and withheld under 10 at entry), summed over the reports due
  in the year; rounded and suppressed again like any reported aggregate (no noise: no person's
  record is behind it, only organisations' own counts). A count an organisation withheld is not in
  the sum: the figure is a lower bound, and the method page says so.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _


def projects_funded(start: dt.date, end: dt.date) -> dict[str, int | None]:
    from . import states
    from .models import Application

    found = Application.objects.filter(state=states.APPROVED, decided_on__gte=start, decided_on__lte=end)
    return {"": found.aggregate(n=Count("id"))["n"] or 0}


def amount_awarded(start: dt.date, end: dt.date) -> dict[str, int | None]:
    from . import states
    from .models import Application

    found = Application.objects.filter(state=states.APPROVED, decided_on__gte=start, decided_on__lte=end)
    total = found.aggregate(total=Sum("awarded_amount"))["total"]
    return {"": int(total or 0)}


def people_reached(start: dt.date, end: dt.date) -> dict[str, int | None]:
    from . import states
    from .models import Indicator

    found = Indicator.objects.filter(
        report__state=states.ACCEPTED,
        report__due_on__gte=start,
        report__due_on__lte=end,
        suppressed=False,
    ).aggregate(total=Sum("people"))
    return {"": int(found["total"] or 0)}


def register() -> None:
    from sanspeur.impact import catalogue
    from sanspeur.impact.catalogue import EXACT, REPORTED, YEAR, Indicator

    catalogue.register(
        Indicator(
            code="grants_projects_funded",
            title=_("Community projects funded"),
            definition=_("Projects of community organisations that the funding program approved during the year."),
            unit=_("projects"),
            source="grants.Application (approved, decided_on)",
            count=projects_funded,
            privacy_unit="record",
            method=EXACT,
            periods=(YEAR,),
            order=50,
            base=1,
            threshold=0,
        )
    )
    catalogue.register(
        Indicator(
            code="grants_amount_awarded",
            title=_("Funding awarded to community projects"),
            definition=_("The amounts the funding program awarded during the year, in Canadian dollars."),
            unit=_("dollars"),
            source="grants.Application.awarded_amount (approved, decided_on)",
            count=amount_awarded,
            privacy_unit="record",
            method=EXACT,
            periods=(YEAR,),
            order=50,
            base=1,
            threshold=0,
        )
    )
    catalogue.register(
        Indicator(
            code="grants_people_reached",
            title=_("People reached by funded projects"),
            definition=_(
                "People that funded organisations reached, as they reported it in their accepted progress "
                "reports due during the year, summed over types of service (a person helped in two ways "
                "counts twice). Counts under 10 that an organisation withheld are left out: the figure is "
                "a lower bound."
            ),
            unit=_("people"),
            source="grants.Indicator.people (accepted reports, due_on)",
            count=people_reached,
            privacy_unit="organisation",
            method=REPORTED,
            periods=(YEAR,),
            order=50,
        )
    )
