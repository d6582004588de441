"""Logs carry no secret from a path, a message or an exception (issue 14).

A server error under ``/<lang>/clinics/booking/<code>/`` used to log the booking code: the filter
(``core.privacy.ScrubPersonalDataFilter``) stripped only query strings. The secret path segments
are found from the URL map itself — the parameters declared with the ``secret`` converter (or
named like one: code, token, codename) — and removed from the message, its arguments and the
exception's text, together with e-mail addresses, booking codes and protection codenames written
anywhere in a line.
"""

import io
import logging

import pytest

from sanspeur.clinics import codes
from sanspeur.core import privacy


@pytest.fixture
def console_log():
    """What the configured console handler (the production log, settings LOGGING) writes."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def _failing(monkeypatch, target: str, secret: str):
    def fail(*args, **kwargs):
        raise RuntimeError(f"the database went away while reading {secret}")

    monkeypatch.setattr(target, fail)


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["", "calendar.ics"])
def test_a_server_error_under_a_booking_page_logs_no_code(client, monkeypatch, console_log, suffix):
    code = codes.generate()
    _failing(monkeypatch, "sanspeur.clinics.views._booking_or_404", code)
    client.raise_request_exception = False
    response = client.get(f"/fr/clinics/booking/{codes.display(code)}/{suffix}")
    assert response.status_code == 500
    log = console_log.getvalue()
    assert "Internal Server Error: /fr/clinics/booking/…/" in log  # the page is still named
    assert "the database went away while reading" in log and "RuntimeError" in log  # and the error
    for form in (code, codes.display(code), codes.display(code)[:9]):
        assert form not in log, form


@pytest.mark.django_db
def test_a_server_error_under_a_one_time_link_logs_no_token(client, monkeypatch, console_log):
    token = "Zq8VwN3kE7rT1yU4iO9pA2sD5fG6hJ0k"
    _failing(monkeypatch, "sanspeur.accounts.views.services.enrolment_link_get", token)
    client.raise_request_exception = False
    assert client.get(f"/en/staff/enrol/{token}/").status_code == 500
    log = console_log.getvalue()
    assert "Internal Server Error: /en/staff/enrol/…/" in log
    assert token not in log and token[:8] not in log


def test_secret_path_parameters_are_found_in_the_url_map():
    """Derived from the URL patterns, not written by hand: every route with a secret parameter."""
    from sanspeur.clinics.urls import urlpatterns

    assert {"clinics:booking", "clinics:booking_ics", "accounts:enrol"} <= privacy.secret_routes()
    # The clinics mark theirs with the converter, so a renamed parameter stays secret.
    marked = {
        pattern.name
        for pattern in urlpatterns
        if any(isinstance(converter, privacy.SecretConverter) for converter in pattern.pattern.converters.values())
    }
    assert marked == {"booking", "booking_ics"}


def test_the_filter_scrubs_message_arguments_and_exception_text(console_log):
    from sanspeur.protection.crypto import codename_generate

    code = codes.generate()
    codename = codename_generate("fr")
    logger = logging.getLogger("sanspeur.test.logs")
    try:
        raise ValueError(f"bad input {codename!r} from personne@example.org")
    except ValueError:
        logger.exception(
            "while handling /es/clinics/booking/%s/calendar.ics?x=1 for %s (code %s)",
            code.lower(),
            "quelquun@example.net",
            codes.display(code),
        )
    log = console_log.getvalue()
    assert "while handling /es/clinics/booking/…/calendar.ics?…" in log
    for secret in (code, code.lower(), codes.display(code), "example.net", "personne@", codename):
        assert secret not in log, secret
    assert " ".join(codename.split()[2:6]) not in log  # not a run of its words either
    assert "ValueError: bad input" in log


def test_ordinary_words_and_traceback_names_are_left_alone(console_log):
    logging.getLogger("sanspeur.test.logs").warning(
        "transaction responses something: the gift card account above is able to pay %d", 3
    )
    assert "transaction responses something: the gift card account above is able to pay 3" in (console_log.getvalue())


def test_every_check_symbol_of_a_booking_code_is_scrubbed_in_text():
    """A code whose check character is U (the 37th symbol) was left in logs (seen in CI)."""
    from sanspeur.clinics.codes import ALPHABET, _check_char, scrub_codes

    found = {}
    for first in ALPHABET:
        for second in ALPHABET:
            body = f"ER1R5Q{first}{second}"
            found.setdefault(_check_char(body), body + _check_char(body))
    assert set(found) == set(codes.CHECK_ALPHABET)
    for code in found.values():
        line = f"the database went away while reading {code} and {codes.display(code)}"
        assert code not in scrub_codes(line) and codes.display(code) not in scrub_codes(line), code
