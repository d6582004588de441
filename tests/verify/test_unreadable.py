"""A scan or a box that gives nothing checkable is "could not read — try again", never "NOT VALID",
and is not counted as a card checked (issue 17). "Not valid" is only for a decoded code that fails."""

from __future__ import annotations

import pytest

from tests.conftest import screenshot

from .conftest import CASES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tally(page) -> int:
    return page.evaluate("(JSON.parse(localStorage.getItem('sanspeur.verify.tally') || '{}').count) || 0")


def _paste(page, code: str) -> None:
    page.fill("#vf-code", code)
    page.click("#vf-paste button[type=submit]")
    page.wait_for_selector("#vf-result:not([hidden])")


def test_outcomes_of_each_reason(page):
    """verdict.js: which results are neutral, which count."""
    page.goto(page.base_url + "/verify/")
    got = page.evaluate(
        """async () => {
          const v = await import('/static/verify/verdict.js');
          const r = (reason, detail = null) => ({valid: reason === 'valid', reason, detail, warnings: []});
          const cases = {
            empty: v.EMPTY_RESULT, none: null, malformed: r('malformed', 'code: not base45'),
            claims: r('malformed', 'claims: bad'), stale: r('status_list_stale', 'status_list_too_old'),
            no_lists: r('unknown_issuer', 'no_trust_list'), unknown: r('unknown_issuer', 'kid_unknown'),
            forged: r('bad_signature'), expired: r('expired'), revoked: r('revoked'),
            suspended: r('suspended'), early: r('not_yet_valid'), valid: r('valid'),
          };
          const out = {};
          for (const [name, result] of Object.entries(cases)) {
            const t = v.texts(result || undefined);
            out[name] = [v.outcome(result), v.counted(v.outcome(result)), t.verdict, t.advice];
          }
          out.blank = [v.isEmpty(''), v.isEmpty('  \\n '), v.isEmpty('MTL1:x')];
          return out;
        }"""
    )
    unread = ["unreadable", False, "unreadable", "what_to_do_unreadable"]
    confirm = ["cannot_confirm", True, "cannot_confirm", "what_to_do_cannot_confirm"]
    assert got["empty"] == got["none"] == got["malformed"] == got["claims"] == unread
    assert got["stale"] == got["no_lists"] == confirm
    for name, reason in [
        ("unknown", "unknown_issuer"),
        ("forged", "bad_signature"),
        ("expired", "expired"),
        ("revoked", "revoked"),
        ("suspended", "suspended"),
        ("early", "not_yet_valid"),
    ]:
        assert got[name] == ["not_valid", True, "not_valid", f"what_to_do_{reason}"], name
    assert got["valid"] == ["valid", True, "valid", "what_to_do_valid"]
    assert got["blank"] == [True, True, False]


def test_every_advice_and_verdict_is_translated(client):
    """Each key verdict.js can ask for exists, in every language, and is not the English text."""
    data = client.get("/verify/config.json").json()
    keys = {"unreadable", "cannot_confirm", "try_again", "reason_unreadable", "reason_no_trust_list"}
    keys |= {f"what_to_do_{r}" for r in ("unreadable", "cannot_confirm", "valid", "expired", "not_yet_valid")}
    keys |= {f"what_to_do_{r}" for r in ("revoked", "suspended", "bad_signature", "unknown_issuer")}
    for key in keys:
        english = data["strings"]["en"][key]
        assert english and english != key
        for lang in ("fr", "es", "ar", "ht"):
            assert data["strings"][lang][key] and data["strings"][lang][key] != english, (lang, key)


def test_empty_and_garbage_are_neutral_and_not_counted(verifier_page, axe_check):
    page = verifier_page
    result = page.locator("#vf-result")
    before = _tally(page)
    for code in ("", "   ", "bonjour ceci n'est pas une carte", "https://example.org/menu", "MTL1:%%%%"):
        _paste(page, code)
        assert result.get_attribute("data-outcome") == "unreadable", code
        assert page.locator("#vf-verdict-text").inner_text() == "LECTURE IMPOSSIBLE", code
        assert "vf-is-neutral" in result.get_attribute("class")
        assert "vf-is-not-valid" not in result.get_attribute("class")
        assert page.locator(".vf-icon-neutral").is_visible() and page.locator(".vf-icon-not-valid").is_hidden()
        assert "NON VALIDE" not in page.locator("main").inner_text()
        assert "autre preuve" in page.locator("#vf-advice").inner_text()
        assert page.locator("#vf-done").inner_text() == "Réessayer"
        page.click("#vf-done")
        assert page.locator("#vf-code").evaluate("el => el === document.activeElement")
    assert _tally(page) == before  # nothing counted

    # A decoded card that fails a check is still "not valid", counted, with what to do.
    _paste(page, CASES["revoked"]["code"])
    assert result.get_attribute("data-outcome") == "not_valid"
    assert page.locator("#vf-verdict-text").inner_text() == "NON VALIDE"
    assert page.locator("#vf-advice").inner_text().strip()
    assert _tally(page) == before + 1
    page.click("#vf-done")
    assert page.locator("#vf-done").inner_text() == "Terminé (effacer le résultat)"


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_neutral_state_on_a_phone(verifier_page, axe_check, lang):
    page = verifier_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.select_option("#vf-lang", lang)
    _paste(page, "n'importe quoi")
    assert page.locator("#vf-result").get_attribute("data-outcome") == "unreadable"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe_check(page, f"verifier could not read {lang}")
    screenshot(page, f"verify-unreadable-{lang}-phone")
