"""Issue 17, without a browser: the page after sending (POST-redirect-GET, a one-time token, no
cookie), the immediate-danger block, honest required/optional marks, and the person's view of
their report (what was sent, to the day; its status; replies and additions)."""

import re

import pytest
from django.core.cache import cache

from sanspeur.protection.models import Case, Message

from .conftest import codename_from, followup, proof_for, submit

pytestmark = pytest.mark.django_db

RECEIVED = re.compile(r"^/(\w\w)/protection/report/\?r=([A-Za-z0-9_-]{40,})$")


def _post_report(client, lang="fr", **fields):
    data = {"category": "work", "text": "Mon patron garde mon salaire", **fields}
    data.update(proof_for(client, client.get(f"/{lang}/protection/report/").content.decode()))
    return client.post(f"/{lang}/protection/report/", data)


def test_sending_redirects_to_a_get_and_reloading_sends_nothing(client, unit_key):
    response = _post_report(client)
    assert response.status_code == 303  # the browser follows with a GET; a reload repeats the GET
    assert Case.objects.count() == 1
    location = response["Location"]
    assert RECEIVED.match(location), location
    first = client.get(location)
    codename = codename_from(first)
    assert not any(word in location for word in codename.split())  # never in the URL or the history
    for _ in range(3):
        again = client.get(location)
        assert codename_from(again) == codename
    assert Case.objects.count() == 1
    assert first["Cache-Control"] == "no-store, private" and not first.cookies


def test_the_cache_holds_no_codename_and_the_token_is_the_key(client, unit_key):
    location = _post_report(client)["Location"]
    codename = codename_from(client.get(location))
    token = RECEIVED.match(location).group(2)
    stored = {key: cache.get(key) for key in cache._cache}  # locmem in tests
    values = " ".join(str(value) for value in stored.values())
    assert not any(word in values for word in codename.split())
    assert token not in " ".join(str(key) for key in stored)  # looked up by a hash of the token
    # A token that differs by one character opens nothing.
    wrong = location[:-1] + ("A" if location[-1] != "A" else "B")
    assert "codename" not in client.get(wrong).content.decode().split('id="receipt-gone"')[0][-200:]
    assert b'id="receipt-gone"' in client.get(wrong).content


def test_hiding_the_codename_forgets_it_at_once(client, unit_key):
    location = _post_report(client)["Location"]
    codename_from(client.get(location))
    hidden = client.post(location)
    assert hidden.status_code == 303 and hidden["Location"] == "/fr/protection/"
    gone = client.get(location)
    assert gone.status_code == 200 and b'id="receipt-gone"' in gone.content and b'id="codename"' not in gone.content
    assert Case.objects.count() == 1


def test_the_codename_expires_after_the_setting(client, unit_key, settings):
    settings.SANSPEUR_PROTECTION_RECEIPT_SECONDS = 60
    location = _post_report(client)["Location"]
    token = RECEIVED.match(location).group(2)
    from sanspeur.protection.views import _receipt_id

    assert cache.get(_receipt_id(token))
    cache.delete(_receipt_id(token))  # what the cache does when the 60 s are over
    assert b'id="receipt-gone"' in client.get(location).content


@pytest.mark.parametrize("query", ["?r=", "?r=short", "?r=" + "x" * 200, "?r=%00%00%00%00%00%00%00%00%00%00%00%00"])
def test_a_missing_or_bad_token_is_the_neutral_page(client, query):
    response = client.get("/en/protection/report/" + query)
    assert response.status_code == 200 and b'id="receipt-gone"' in response.content


@pytest.mark.parametrize("lang", ["fr", "en", "es", "ar", "ht"])
def test_the_danger_block_is_on_every_public_page(client, unit_key, lang, settings):
    for path in ("", "report/", "followup/", "report/?r=gone"):
        html = client.get(f"/{lang}/protection/{path}").content.decode()
        assert 'id="immediate-danger"' in html, path
        assert 'href="tel:18003639010"' in html and 'href="tel:811"' in html and 'href="tel:988"' in html
    settings.SANSPEUR_PROTECTION_SUICIDE_LINE = ""
    assert 'href="tel:988"' not in client.get(f"/{lang}/protection/").content.decode()


def test_the_marks_are_honest(client):
    """Every question the form can do without says (optional); the two it needs do not; the
    intro says so."""
    from django.utils import translation

    from sanspeur.protection.forms import ReportForm

    form = ReportForm()
    with translation.override("en"):
        for name, field in form.fields.items():
            assert field.required == (name in ("category", "text")), name
            if not field.required:
                assert str(field.label).endswith("(optional)"), name
            else:
                assert "(optional)" not in str(field.label), name
    html = client.get("/en/protection/report/").content.decode()
    assert "Only two questions must be answered" in html
    assert "Every question is optional" not in html


def test_a_report_with_only_the_two_required_answers_is_received(client, unit_key):
    sent = _post_report(client, lang="en", category="housing", text="Le propriétaire a coupé le chauffage")
    assert sent.status_code == 303 and Case.objects.get().category == "housing"


def _open(client, codename, lang="fr"):
    return followup(client, {"codename": codename, "action": "open"}, lang=lang)


def test_the_follow_up_shows_what_was_sent_to_the_day_and_the_status(client, unit_key, caseworker):
    from sanspeur.protection.services import case_closure_request, reply_create

    codename = codename_from(
        submit(client, lang="fr", when_month="3", when_year="2026", borough="Verdun", contact_details="514-555-0199")
    )
    case = Case.objects.get()
    html = _open(client, codename).content.decode()
    assert "Mon patron garde mon salaire" in html
    assert "mars 2026" in html and "Verdun" in html
    assert "514-555-0199" not in html  # how to reach the person is never shown back
    assert "L'unité n'a pas encore commencé" in html
    assert not re.search(r"\d{1,2}:\d{2}", html.split('id="what-you-sent"')[1].split("</dl>")[0])
    reply_create(acting_user=caseworker, case=case, text="Nous pouvons vous aider.")
    html = _open(client, codename).content.decode()
    assert "L'unité s'occupe de votre signalement." in html and "Nous pouvons vous aider." in html
    case.refresh_from_db()
    case_closure_request(acting_user=caseworker, case=case, outcome="resolved")
    # A closure awaiting a supervisor is the unit's business: the person still reads "working on it".
    assert "L'unité s'occupe de votre signalement." in _open(client, codename).content.decode()


def test_what_the_person_adds_is_shown_back_and_sealed(client, unit_key):
    codename = codename_from(submit(client, lang="fr"))
    followup(client, {"codename": codename, "action": "add", "text": "Il a recommencé hier"}, lang="fr")
    message = Message.objects.get(direction="in")
    assert b"recommenc" not in bytes(message.for_reporter) and b"recommenc" not in bytes(message.for_unit)
    assert "Il a recommencé hier" in _open(client, codename).content.decode()


def test_older_reports_without_a_copy_for_the_person_still_open(client, unit_key):
    codename = codename_from(submit(client, lang="en"))
    Case.objects.update(content_for_reporter=None)  # a report sent before the copy existed
    html = _open(client, codename, lang="en").content.decode()
    assert "This report was sent before its text could be shown here" in html
    assert "Mon patron garde mon salaire" not in html


def test_dropping_the_codename_or_shredding_drops_the_persons_copy(client, unit_key):
    from sanspeur.protection.services import codename_drop

    codename = codename_from(submit(client, lang="fr"))
    followup(client, {"codename": codename, "action": "add", "text": "Encore"}, lang="fr")
    case = Case.objects.get()
    assert case.content_for_reporter is not None
    codename_drop(acting_user=None, case=case)
    case.refresh_from_db()
    assert case.content_for_reporter is None
    assert Message.objects.get(direction="in").for_reporter is None
