"""The unit's forms ask the browser to keep nothing they carry (issue 14): notes, safety plans,
follow-ups, referrals, replies and closure all hold what a person told the unit."""

import re

import pytest

from sanspeur.protection.models import Case

from .conftest import submit, unlock

pytestmark = pytest.mark.django_db

FORM = re.compile(r"(<form\b[^>]*>)(.*?)</form>", re.I | re.S)
# A field a person types into (or picks a date in): what autofill would keep.
TYPED = re.compile(r'<textarea\b|<input\b(?![^>]*type="(?:hidden|checkbox|radio|submit|button)")', re.I)


def post_forms_without_autocomplete_off(html: str) -> list[str]:
    """Forms that send typed values with POST and do not tell the browser to keep nothing."""
    return [
        tag
        for tag, content in FORM.findall(html)
        if re.search(r'method="post"', tag, re.I) and TYPED.search(content) and 'autocomplete="off"' not in tag
    ]


def test_every_form_of_the_unit_keeps_nothing_in_the_browser(client, mfa_client, caseworker, unit_key):
    submit(client)
    case = Case.objects.get()
    cw = mfa_client(caseworker)
    assert post_forms_without_autocomplete_off(cw.get("/fr/protection/unit/unlock/").content.decode()) == []
    unlock(cw)
    for url in (f"/fr/protection/cases/{case.reference}/", "/fr/protection/cases/new/", "/fr/protection/cases/"):
        response = cw.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert url == "/fr/protection/cases/" or FORM.search(html), url
        assert post_forms_without_autocomplete_off(html) == [], url
