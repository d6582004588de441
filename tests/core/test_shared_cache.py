"""Production workers share one cache: a booking form's single-use token spent in one process is
refused in another. With a per-process cache (the reason production refuses one) it is not."""

import os
import subprocess
import sys

import pytest

SPEND_TOKEN = """
import sys, django
django.setup()
from django.conf import settings
settings.SANSPEUR_CLINICS_MIN_FORM_SECONDS = 0
from sanspeur.clinics import antibot
print(antibot.check(sys.argv[1], sys.argv[2], "") or "accepted")
"""


def spend_in_a_new_process(token: str, answer: str, cache_url: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SANSPEUR_", "DJANGO_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "sanspeur.settings.test",
        "SANSPEUR_CACHE_URL": cache_url,
    }
    result = subprocess.run(
        [sys.executable, "-c", SPEND_TOKEN, token, answer], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def redis_url() -> str:
    import redis

    url = os.environ.get("SANSPEUR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {url}: CI requires it.")
        pytest.skip(f"Redis is not reachable at {url}")
    return url


def test_a_token_spent_by_one_worker_is_refused_by_another_with_redis():
    from sanspeur.clinics import antibot

    url = redis_url()
    token, a, b = antibot.issue()  # its random nonce keeps runs sharing this Redis apart
    assert spend_in_a_new_process(token, str(a + b), url) == "accepted"
    assert spend_in_a_new_process(token, str(a + b), url) == "replay"


def test_a_per_process_cache_would_accept_the_same_token_twice():
    from sanspeur.clinics import antibot

    token, a, b = antibot.issue()
    first = spend_in_a_new_process(token, str(a + b), "locmem://")
    second = spend_in_a_new_process(token, str(a + b), "locmem://")
    assert first == second == "accepted"
