from decimal import Decimal
from io import StringIO

import pytest
from django.db.models import Sum

from sanspeur.accounts import demo as accounts_demo
from sanspeur.grants import demo, selectors
from sanspeur.grants.models import Amendment, Application, Assignment, Call, Report, Tranche

pytestmark = pytest.mark.django_db


def test_the_demo_funds_nine_projects_within_the_pledge_and_loads_once():
    accounts_demo.load(stdout=StringIO(), print_logins=False)
    demo.load(stdout=StringIO(), print_logins=False)
    call = Call.objects.get(code=demo.CALL_CODE)
    funded = Application.objects.filter(call=call, state="approved")
    total = funded.aggregate(total=Sum("awarded_amount"))["total"]
    assert funded.count() == 9
    assert total == Decimal("1875000") <= Decimal("1900000") == call.envelope
    assert call.state == "decided"
    assert set(Application.objects.filter(call=call).values_list("state", flat=True)) == {
        "approved",
        "declined",
        "waitlisted",
    }
    assert Assignment.objects.filter(conflict=True).count() == 1
    assert Call.objects.get(code=demo.OPEN_CODE).state == "published"
    assert set(Report.objects.values_list("state", flat=True)) == {"accepted", "submitted", "changes_requested", "due"}
    assert Tranche.objects.filter(state="paid").count() == 9 + 4
    # One project over its interpreting line, one under its activities line (budget against actual).
    flagged = {row.category: row.alert for _application, rows in selectors.spending_alerts() for row in rows}
    assert flagged == {"interpreting": "over", "activities": "under"}
    assert sorted(Amendment.objects.values_list("kind", "state")) == [("budget", "approved"), ("time", "requested")]
    before = (Call.objects.count(), Application.objects.count())
    demo.load(stdout=StringIO(), print_logins=False)
    assert (Call.objects.count(), Application.objects.count()) == before
