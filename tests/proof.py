"""The anonymous forms' proof of work in tests: what the ALTCHA widget does in a browser, against the
same code path as production, made cheap enough to solve in milliseconds."""

import base64
import html as html_lib
import json
import re

WIDGET = re.compile(r'<altcha-widget[^>]*\schallenge="([^"]+)"')


def make_cheap(settings) -> None:
    """A proof of work a test solves in milliseconds, and a clean cache of spent proofs and limits."""
    from django.core.cache import cache

    settings.SANSPEUR_POW_COST = 1
    settings.SANSPEUR_POW_COUNTER_MAX = 60
    cache.clear()


def proof_for(client, page_html: str) -> dict:
    """The form field the widget adds: fetch the page's challenge and solve it."""
    import altcha

    match = WIDGET.search(page_html)
    assert match, "the form asks for no proof of work"
    response = client.get(html_lib.unescape(match.group(1)))
    assert response.status_code == 200
    challenge = altcha.Challenge.from_dict(json.loads(response.content))
    payload = altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_dict()
    return {"altcha": base64.b64encode(json.dumps(payload).encode()).decode()}
