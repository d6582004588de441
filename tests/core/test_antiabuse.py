"""core.antiabuse: proof of work verified on the server, single use; budgets and progressive delays
keyed by their target; nothing that identifies a person."""

import base64
import json
import time
from types import SimpleNamespace

import altcha
import pytest
from django.core import signing
from django.core.cache import cache

from sanspeur.core import antiabuse


@pytest.fixture(autouse=True)
def _cheap_and_clean(settings):
    settings.SANSPEUR_POW_COST = 1
    settings.SANSPEUR_POW_COUNTER_MAX = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch):
    now = SimpleNamespace(value=1_800_000_000.0)
    monkeypatch.setattr(antiabuse, "time", SimpleNamespace(time=lambda: now.value, monotonic=time.monotonic))
    return now


def solved(challenge: dict) -> str:
    parsed = altcha.Challenge.from_dict(challenge)
    payload = altcha.Payload(parsed, altcha.solve_challenge(parsed))
    return base64.b64encode(json.dumps(payload.to_dict()).encode()).decode()


def test_a_solved_challenge_passes_once_for_its_scope_only():
    challenge = antiabuse.challenge_create(scope="clinics.book")
    assert challenge["parameters"]["algorithm"] == "PBKDF2/SHA-256"
    assert challenge["parameters"]["data"] == {"scope": "clinics.book"}
    payload = solved(challenge)
    with pytest.raises(antiabuse.ProofRefused) as wrong_scope:
        antiabuse.proof_verify(payload, scope="protection.report")
    assert wrong_scope.value.reason == "invalid"
    antiabuse.proof_verify(payload, scope="clinics.book")
    with pytest.raises(antiabuse.ProofRefused) as replay:
        antiabuse.proof_verify(payload, scope="clinics.book")
    assert replay.value.reason == "replay"


@pytest.mark.parametrize("payload", ["", "not base64!", base64.b64encode(b"{}").decode(), "x" * 10_000])
def test_malformed_proofs_are_refused_quietly(payload):
    with pytest.raises(antiabuse.ProofRefused) as refused:
        antiabuse.proof_verify(payload, scope="clinics.book")
    assert refused.value.reason in ("missing", "invalid")


def test_a_proof_with_a_wrong_counter_or_a_changed_difficulty_is_refused():
    challenge = antiabuse.challenge_create(scope="clinics.book")
    payload = json.loads(base64.b64decode(solved(challenge)))
    payload["solution"]["derivedKey"] = "00" * 32
    with pytest.raises(antiabuse.ProofRefused):
        antiabuse.proof_verify(base64.b64encode(json.dumps(payload).encode()).decode(), scope="clinics.book")
    payload = json.loads(base64.b64decode(solved(challenge)))
    payload["challenge"]["parameters"]["cost"] = 0
    with pytest.raises(antiabuse.ProofRefused):
        antiabuse.proof_verify(base64.b64encode(json.dumps(payload).encode()).decode(), scope="clinics.book")


def test_the_keys_come_from_the_secret_key_and_differ_from_it(settings):
    signing_key, key_key = antiabuse.pow_keys()
    assert signing_key != key_key and settings.SECRET_KEY.encode() not in (signing_key, key_key)
    settings.SECRET_KEY = "another-secret-" + "z" * 40
    assert antiabuse.pow_keys()[0] != signing_key


def test_the_counter_is_drawn_between_a_third_of_the_maximum_and_the_maximum(settings):
    settings.SANSPEUR_POW_COUNTER_MAX = 90
    counters = set()
    for _ in range(40):
        parsed = altcha.Challenge.from_dict(antiabuse.challenge_create(scope="x"))
        counters.add(altcha.solve_challenge(parsed).counter)
    assert min(counters) >= 30 and max(counters) <= 90 and len(counters) > 10


def test_the_question_token_does_not_say_the_answer_and_is_single_use(clock):
    token, a, b = antiabuse.question_issue(scope="clinics.book")
    data = signing.loads(token, salt=antiabuse.QUESTION_SALT)
    assert set(data) == {"t", "n", "h"} and a + b not in data.values() and str(a + b) not in data.values()
    assert antiabuse.question_check(token, str(a + b + 1), scope="clinics.book", min_seconds=0) == "answer"
    assert antiabuse.question_check(token, str(a + b), scope="protection.report", min_seconds=0) == "token"
    assert antiabuse.question_check(token, str(a + b), scope="clinics.book", min_seconds=5) == "fast"
    clock.value += 5
    assert antiabuse.question_check(token, f" {a + b} ", scope="clinics.book", min_seconds=5) is None
    assert antiabuse.question_check(token, str(a + b), scope="clinics.book", min_seconds=5) == "replay"


def test_a_budget_is_per_key_and_refunds_what_it_refuses(clock):
    assert antiabuse.budget_take("slot:1", 2, limit=3, window=60) == 0
    wait = antiabuse.budget_take("slot:1", 2, limit=3, window=60)
    assert 0 < wait <= 60
    assert antiabuse.budget_take("slot:1", 1, limit=3, window=60) == 0  # the refused 2 were given back
    assert antiabuse.budget_take("slot:2", 3, limit=3, window=60) == 0
    clock.value += 60
    assert antiabuse.budget_take("slot:1", 3, limit=3, window=60) == 0


def test_guess_limits_delay_progressively_and_let_one_try_through_after_each_wait(clock, settings):
    settings.SANSPEUR_GUESS_FREE_MISSES = 3
    settings.SANSPEUR_GUESS_MAX_DELAY = 60
    limit = antiabuse.GuessLimit("test")
    for _ in range(3):
        assert limit.wait("a") == 0
        limit.miss("a")
    assert limit.wait("a") == 0  # the fourth try is free; its miss starts the delays
    limit.miss("a")
    assert limit.wait("a") == 1 and limit.wait("b") == 0
    clock.value += 1
    assert limit.wait("a") == 0
    assert limit.wait("a") > 0  # only one try per opening, even for requests sent at once
    limit.miss("a")
    assert limit.wait("a") == 2
    for _ in range(10):
        clock.value += limit.wait("a")
        assert limit.wait("a") == 0
        limit.miss("a")
    assert limit.wait("a") == 60  # the ceiling


def test_guess_limits_forget_a_quiet_bucket(clock, settings):
    settings.SANSPEUR_GUESS_FREE_MISSES = 1
    limit = antiabuse.GuessLimit("quiet")
    limit.miss("k")
    limit.miss("k")
    assert limit.wait("k") > 0
    assert limit.misses("k") == 2
    clock.value += limit.forget_after
    assert limit.wait("k") == 0 and limit.misses("k") == 0
