"""Nothing a resident or the door staff type stays in the browser's autofill (issue 14).

Every form that sends data on the clinics' staff pages, and the public booking form (a contact
for a reminder, on what may be a shared computer), says ``autocomplete="off"``.
"""

import re

import pytest

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


def test_staff_and_booking_forms_ask_the_browser_to_keep_nothing(
    client, make_staff, city_organisation, mfa_client, make_clinic
):
    event, _service, session = make_clinic()
    coordinator = mfa_client(make_staff("coord.af", ["clinic_coordinator", "clinic_door_staff"], city_organisation))
    pages = [
        f"/fr/clinics/checkin/{event.pk}/",
        f"/fr/clinics/staff/e/{event.pk}/",
        f"/fr/clinics/staff/e/{event.pk}/edit/",
        "/fr/clinics/staff/new/",
    ]
    for url in pages:
        response = coordinator.get(url)
        assert response.status_code == 200, url
        assert post_forms_without_autocomplete_off(response.content.decode()) == [], url
    public = client.get(f"/fr/clinics/slot/{session.pk}/book/")
    assert post_forms_without_autocomplete_off(public.content.decode()) == []
