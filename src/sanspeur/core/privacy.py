"""Small guards that keep the public's traces out of the system.

- :class:`ScrubPersonalDataFilter`, the filter of every log handler (settings ``LOGGING``): it
  removes query strings, the secret segments of paths, e-mail addresses and the secrets the apps
  register (booking codes, codenames) from the message, its arguments and the exception's text;
- :class:`SecretConverter`, the ``<secret:…>`` path converter that marks those segments in the
  URL map, so that the filter finds them there instead of in a list kept by hand;
- :func:`mail_send`, which sends one message and turns a mail failure into words that never hold
  the address, for the caller to count and retry.
"""

from __future__ import annotations

import logging
import re
import smtplib
import threading
from collections.abc import Callable, Iterator

from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured
from django.urls.converters import StringConverter

BLANK = "…"
_QUERY = re.compile(r"\?[^\s\"'<>]*")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_FORMATTER = logging.Formatter()


# --- Secret path segments -----------------------------------------------------------------------
class SecretConverter(StringConverter):
    """``<secret:code>``: a path segment that is a secret (a booking code, a one-time link). It
    matches like ``<str:…>``; the log filter blanks it in every line (``secret_routes``)."""

    secret = True


# A parameter with one of these names is a secret even without the converter.
SECRET_PARAMETER_NAMES = frozenset({"code", "token", "codename", "secret"})
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
_SECRET_SEGMENT = r"([^/?#\s\"'<>]+)"  # noqa: S105 - a regular expression, not a secret


def register_secret_converter() -> None:
    """Make ``<secret:…>`` available to ``path()``; a URL module calls it before its patterns."""
    from django.urls.converters import get_converters, register_converter

    if "secret" not in get_converters():
        register_converter(SecretConverter, "secret")


def _route_regex(pattern) -> tuple[str, int] | None:
    """The regular expression of one level of the URL map as it appears in a path, with one
    capturing group per secret parameter, and how many of them; None for a kind it cannot read."""
    from django.conf import settings
    from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

    if isinstance(pattern, LocalePrefixPattern):
        return "(?:" + "|".join(re.escape(code) for code, _name in settings.LANGUAGES) + ")/", 0
    if isinstance(pattern, RegexPattern):
        text = pattern._regex.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
        return re.sub(r"\(\?P<[^>]+>", "(?:", text), 0
    if not isinstance(pattern, RoutePattern):
        return None
    route, parts, secrets, position = str(pattern), [], 0, 0
    for match in _PARAMETER.finditer(route):
        parts.append(re.escape(route[position : match.start()]))
        name = match.group("parameter")
        converter = pattern.converters.get(name)
        if getattr(converter, "secret", False) or name in SECRET_PARAMETER_NAMES:
            parts.append(_SECRET_SEGMENT)
            secrets += 1
        else:
            parts.append("(?:" + getattr(converter, "regex", "[^/]+") + ")")
        position = match.end()
    parts.append(re.escape(route[position:]))
    return "".join(parts), secrets


def _walk(patterns, prefix: str, secrets: int, namespace: str) -> Iterator[tuple[str, str]]:
    """(URL name, regex up to its last secret) for every route of the map with a secret in it."""
    from django.urls import URLResolver

    for entry in patterns:
        read = _route_regex(entry.pattern)
        if read is None:
            continue
        text, found = read
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + text, secrets + found, inner)
        elif secrets + found:
            full = "/" + prefix + text
            # Up to the last secret: what follows it (a slash, "calendar.ics") need not be there.
            yield f"{namespace}{entry.name}", full[: full.rindex(_SECRET_SEGMENT) + len(_SECRET_SEGMENT)]


class _SecretPaths(threading.local):
    building = False


_secret_paths = _SecretPaths()
_found: dict[str, tuple[frozenset[str], tuple[re.Pattern, ...]]] = {}


def _secret_paths_of_url_map() -> tuple[frozenset[str], tuple[re.Pattern, ...]]:
    """Read once per URL map. While the map cannot be loaded (the error being logged may be that
    very failure) the paths are left as they are rather than logging from inside the filter."""
    from django.conf import settings
    from django.urls import get_resolver

    if _secret_paths.building:
        return frozenset(), ()
    _secret_paths.building = True
    try:
        urlconf = settings.ROOT_URLCONF
        if urlconf in _found:
            return _found[urlconf]
        routes = list(_walk(get_resolver(urlconf).url_patterns, "", 0, ""))
    except (ImportError, ImproperlyConfigured, AppRegistryNotReady):
        return frozenset(), ()
    finally:
        _secret_paths.building = False
    regexes = tuple(re.compile(text) for text in sorted({text for _name, text in routes}, key=len, reverse=True))
    _found[urlconf] = (frozenset(name for name, _text in routes), regexes)
    return _found[urlconf]


def secret_routes() -> frozenset[str]:
    """The URL names (``clinics:booking``) whose path holds a secret."""
    return _secret_paths_of_url_map()[0]


def _blank_groups(match: re.Match) -> str:
    pieces, last = [], match.start()
    for group in range(1, (match.re.groups or 0) + 1):
        start, end = match.span(group)
        if start < 0:
            continue
        pieces += [match.string[last:start], BLANK]
        last = end
    pieces.append(match.string[last : match.end()])
    return "".join(pieces)


# --- Secrets anywhere in a line ------------------------------------------------------------------
_TEXT_SCRUBBERS: list[Callable[[str], str]] = []


def register_text_scrubber(scrubber: Callable[[str], str]) -> None:
    """An app's function that blanks its own secrets in a line of text (clinics: booking codes;
    protection: codenames). Registered from the app's ``ready()``."""
    if scrubber not in _TEXT_SCRUBBERS:
        _TEXT_SCRUBBERS.append(scrubber)


# A value found in a secret path segment is blanked wherever else the record repeats it (an
# exception's text), if it is at least this long: shorter ones could blank ordinary words.
_SHORTEST_REPEATED_SECRET = 6


def path_secrets(*texts: str) -> set[str]:
    """The values of the secret path segments written in ``texts``."""
    found: set[str] = set()
    for regex in _secret_paths_of_url_map()[1]:
        for text in texts:
            for match in regex.finditer(text):
                found.update(value for value in match.groups() if value)
    return {value for value in found if len(value) >= _SHORTEST_REPEATED_SECRET}


def scrub(text: str, secrets: set[str] | frozenset[str] = frozenset()) -> str:
    """``text`` without query strings, secret path segments (and ``secrets``, the values found in
    them elsewhere in the same log record), e-mail addresses or registered secrets."""
    text = _QUERY.sub("?" + BLANK, text)
    for regex in _secret_paths_of_url_map()[1]:
        text = regex.sub(_blank_groups, text)
    for value in sorted(secrets, key=len, reverse=True):
        text = text.replace(value, BLANK)
    text = _EMAIL.sub(BLANK + "@" + BLANK, text)
    for scrubber in _TEXT_SCRUBBERS:
        text = scrubber(text)
    return text


class ScrubPersonalDataFilter(logging.Filter):
    """Every log line leaves through here: the request object goes (it holds the whole request),
    and the message, its arguments and the exception's text are scrubbed (:func:`scrub`). The
    message is formatted here, so that arguments of any type are scrubbed too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a format that does not fit its arguments
            message = f"{record.msg} {record.args!r}"
        if record.exc_info:
            # Rendered once, scrubbed below, and the exception dropped: no later handler renders it raw.
            record.exc_text = record.exc_text or _FORMATTER.formatException(record.exc_info)
            record.exc_info = None
        # A secret seen in a path ("Internal Server Error: /fr/clinics/booking/<code>/") is also
        # blanked where the exception repeats it.
        secrets = path_secrets(message, record.exc_text or "")
        record.msg, record.args = scrub(message, secrets), ()
        if record.exc_text:
            record.exc_text = scrub(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info, secrets)
        return True


# --- Mail ---------------------------------------------------------------------------------------
# What a mail relay, or the way to it, can raise: refused recipients or sender, a dropped or
# refused connection, a time-out, TLS. Anything else is a bug and is not caught.
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def mail_error_label(error: BaseException) -> str:
    """The error's kind and code ("SMTPRecipientsRefused 550", "ConnectionRefusedError 111"):
    never its text, which holds the address."""
    code = getattr(error, "smtp_code", None)
    if code is None and isinstance(error, smtplib.SMTPRecipientsRefused):
        code = min((reply[0] for reply in error.recipients.values()), default=None)
    if code is None and isinstance(error, OSError):
        code = error.errno
    return f"{type(error).__name__} {code}" if code is not None else type(error).__name__


def mail_send(subject: str, body: str, recipient: str) -> str | None:
    """Send one message through Django's mail backend. ``None`` once the relay took it; otherwise
    what went wrong (:func:`mail_error_label`), for the caller to count, log and try again."""
    from django.core.mail import send_mail

    try:
        send_mail(subject, body, None, [recipient])
    except MAIL_ERRORS as error:
        return mail_error_label(error)
    return None
