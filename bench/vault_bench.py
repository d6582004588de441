"""The cost of forgetting with bucket keys, and of a look-up across buckets (issue 14).

    .venv/bin/python bench/vault_bench.py [--postgres URL] [--siblings 0,100,500,2000] [--rounds 5] [--json]

Runs on a throw-away database (a temporary SQLite file, or a database ``sanspeur_bench_vault``
created on the PostgreSQL server given, then dropped) with a throw-away key folder.

1. **Forget**: a bucket holds ``n`` sibling data keys of a purpose with an identity index (each
   sibling has a sealed record that the re-index opens, as the cards app's does). Shredding one
   key rotates the bucket: the siblings are re-wrapped, re-indexed, and the old generation is
   destroyed. Reported: milliseconds per forget, and the ratio to a forget in an empty bucket
   (the baseline, measured in the same run).
2. **Look-up**: ``identity_index_candidates`` with ``b`` buckets in use (one HMAC per bucket),
   against the baseline of one keyed HMAC (``blind_index``), same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def setup(postgres: str | None) -> tuple[str, callable]:
    folder = Path(tempfile.mkdtemp(prefix="sanspeur-vault-bench-"))
    os.environ["SANSPEUR_KEY_DIR"] = str(folder / "keys")
    os.environ["DJANGO_SETTINGS_MODULE"] = "sanspeur.settings.test"
    if postgres:
        os.environ["DATABASE_URL"] = postgres
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = (
        "sanspeur_bench_vault" if postgres else str(folder / "bench.sqlite3")
    )
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)

    def teardown() -> None:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    return connection.vendor, teardown


def bench(siblings_list: list[int], buckets_list: list[int], rounds: int) -> dict:
    from django.db import transaction

    from sanspeur.core import vault
    from sanspeur.core.keys import key_provider
    from sanspeur.core.models import DataKey

    sealed: dict = {}
    purpose = "bench.holder"

    def reindex(keys, index):
        # What the cards app does: open each sibling's sealed profile, compute its new index.
        values = [index(key, *vault.open_fields(key, sealed[key.pk], context="p")["parts"]) for key in keys]
        assert len(values) == len(keys)

    vault.register_identity_index(purpose, reindex)
    provider = key_provider()

    def fill_bucket(count: int) -> str:
        first = vault.datakey_create(purpose=purpose)
        rows = []
        for _ in range(count):
            key = DataKey(purpose=purpose, bucket=first.bucket, generation=first.generation)
            raw = os.urandom(32)
            key.wrapped = provider.bucket_wrap(first.bucket, first.generation, raw, context=vault._key_context(key.pk))
            rows.append(key)
        DataKey.objects.bulk_create(rows, batch_size=500)
        for key in [first, *rows]:
            sealed[key.pk] = vault.seal_fields(key, {"parts": ["Prénom", "Nom", "1990-01-01"]}, context="p")
        return first.bucket

    forget = {}
    for count in siblings_list:
        timings = []
        for _ in range(rounds):
            bucket = fill_bucket(count)
            victim = DataKey.objects.filter(bucket=bucket).first()
            started = time.perf_counter()
            with transaction.atomic():
                vault.datakey_shred(victim)
            timings.append(time.perf_counter() - started)
            DataKey.objects.filter(bucket=bucket).delete()
        forget[count] = min(timings)
    baseline_forget = forget[siblings_list[0]]

    lookup = {}
    in_use = 0
    for count in buckets_list:
        while in_use < count:  # one data key in each new bucket
            with transaction.atomic():
                name = f"{purpose}/{100000 + in_use}"
                vault._locked_bucket(name)
            in_use += 1
        timings = []
        for _ in range(rounds):
            started = time.perf_counter()
            values = vault.identity_index_candidates(purpose, "Prénom", "Nom", "1990-01-01")
            timings.append(time.perf_counter() - started)
        assert len(values) >= count
        lookup[count] = min(timings)
    single = []
    for _ in range(rounds * 20):
        started = time.perf_counter()
        vault.blind_index(purpose, "Prénom", "Nom", "1990-01-01")
        single.append(time.perf_counter() - started)
    baseline_lookup = min(single)
    return {
        "forget_ms": {n: round(t * 1000, 2) for n, t in forget.items()},
        "forget_ratio_to_empty_bucket": {n: round(t / baseline_forget, 1) for n, t in forget.items()},
        "lookup_ms": {b: round(t * 1000, 2) for b, t in lookup.items()},
        "lookup_ratio_to_one_hmac": {b: round(t / baseline_lookup) for b, t in lookup.items()},
        "one_hmac_us": round(baseline_lookup * 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL (default: a temporary SQLite file)")
    parser.add_argument("--siblings", default="0,100,500,2000")
    parser.add_argument("--buckets", default="1,256,1024,4096")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    vendor, teardown = setup(options.postgres)
    try:
        result = bench(
            [int(n) for n in options.siblings.split(",")],
            [int(n) for n in options.buckets.split(",")],
            options.rounds,
        )
    finally:
        teardown()
    result["database"] = vendor
    result["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    if options.json:
        print(json.dumps(result, indent=2))
        return
    print(f"database: {vendor}; {result['machine']}")
    for n, ms in result["forget_ms"].items():
        print(f"forget, {n:>5} siblings: {ms:8.2f} ms  ({result['forget_ratio_to_empty_bucket'][n]}x an empty bucket)")
    for b, ms in result["lookup_ms"].items():
        print(f"look-up, {b:>5} buckets: {ms:8.2f} ms  ({result['lookup_ratio_to_one_hmac'][b]}x one HMAC)")


if __name__ == "__main__":
    main()
