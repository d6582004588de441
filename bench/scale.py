"""City scale: a bulk loader of fictional cardholders, and benchmarks of what grows with them.

    # 200,000 holders on PostgreSQL (creates and drops the database sanspeur_scale_bench):
    .venv/bin/python bench/scale.py --postgres postgres://postgres@127.0.0.1:5432/postgres --holders 200000
    # the whole city (about 2,000,000 holders, 16+ status lists, a year of audit entries):
    .venv/bin/python bench/scale.py --postgres URL --holders 2000000 --audit-per-day 20000 --audit-days 365

The loader writes what the real services write, in batches: a data key per holder from the vault's
batch API (``vault.datakeys_create_many``: random bucket, wrapped by the bucket key outside the
database), the sealed profile and photo, the identity index keyed by the bucket, the points the
documents reached, a card whose code is really signed (ES256) and sealed, a random index in a
status list (a new list when one is 90 % full, as ``keys.allocate_entry`` does), 1 % revoked; and
audit entries spread over the days. Nothing is faked but the speed: no audit entry per holder and
no per-holder transaction.

Then, each beside a trivial baseline measured in the same run:

1. issuance through the real service (``holder_enroll``: vault, identity index, signing, status
   index, audit) — issuances per second;
2. the staff holder search (POSTed names and birth date, blind index over every bucket) and a
   trivial staff page (the dashboard), through Django's test client, p50/p95;
3. status lists: full rebuild and publication, size per list; one revocation until its list is
   republished;
4. the audit browser's filtered page at the loaded number of entries vs the dashboard;
5. the peak resident memory of the process.

``load()`` is also run by the test suite at a small size (tests/core/test_scale_loader.py) so that
it keeps working.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import random
import resource
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanspeur.settings.test")

GIVEN = ["Amina", "Jean", "Nguyễn Thị", "Łucja", "José", "Fatoumata", "Wei", "Olena", "Mamadou", "Sofía", "محمد"]
FAMILY = ["Diallo", "Tremblay", "Nguyễn", "Kowalska", "García", "Haddad", "Chen", "Kovalenko", "Pierre", "عبد الله"]
BOROUGHS = ["Ahuntsic-Cartierville", "Côte-des-Neiges–Notre-Dame-de-Grâce", "Montréal-Nord", "Saint-Laurent"]


def _photo_jpeg() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (240, 300))
    for y in range(300):
        for x in range(0, 240, 8):
            image.putpixel((x, y), (x % 256, y % 256, (x * y) % 256))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


class _Lists:
    """Random free indexes in status lists, a new list when one is 90 % full (keys.allocate_entry)."""

    def __init__(self, size: int, rng: random.Random, prefix: str = ""):
        from sanspeur.cards.models import StatusList

        self.size, self.rng, self.model, self.prefix = size, rng, StatusList, prefix
        self.current = None
        self.free: list[int] = []
        self.opened = 0

    def _open_new(self):
        self.opened += 1
        number = self.model.objects.count() + 1
        name = f"{self.prefix}{self.opened}" if self.prefix else str(number)
        self.current = self.model.objects.create(id=name, size=self.size)
        self.free = list(range(self.size))
        self.rng.shuffle(self.free)
        self.free = self.free[: int(self.size * 0.9)]

    def take(self) -> tuple[str, int]:
        if not self.free:
            if self.current is not None:
                self.model.objects.filter(pk=self.current.pk).update(is_open=False)
            self._open_new()
        return self.current.pk, self.free.pop()


def load(
    *,
    holders: int,
    audit_days: int = 0,
    audit_per_day: int = 0,
    revoked_share: float = 0.01,
    batch: int = 2000,
    seed: int = 2026,
    list_prefix: str = "",
    log=print,
) -> dict:
    """Load ``holders`` fictional cardholders with one signed card each (see the module's docstring)."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from sanspeur.cards import keys
    from sanspeur.cards.models import Card, DocumentCheck, Holder, StatusEntry
    from sanspeur.cards.services import duplicate_index
    from sanspeur.core import vault
    from sanspeur.credential import PURPOSE_CARD, CardClaims, issue, make_photo

    rng = random.Random(seed)  # noqa: S311 - fictional data
    started = time.perf_counter()
    store = keys.ensure_keys()
    signer = store.active_signer(PURPOSE_CARD)
    photo_jpeg = _photo_jpeg()
    from PIL import Image

    with Image.open(io.BytesIO(photo_jpeg)) as image:
        signed_photo = make_photo(image)
    organisations = _organisations()
    lists = _Lists(keys.status_list_size(), rng, list_prefix)
    numbers: set[str] = set(Card.objects.values_list("number", flat=True))
    now = timezone.now().replace(microsecond=0)
    revoked = 0
    done = 0
    while done < holders:
        count = min(batch, holders - done)
        # The keys in a short transaction of their own (it locks their buckets' rows, which other
        # loaders and desks need too), then the records in one transaction per batch.
        data_keys = vault.datakeys_create_many(purpose="cards.holder", count=count)
        with transaction.atomic():
            rows, checks, entries, cards = [], [], [], []
            for key in data_keys:
                given, family = rng.choice(GIVEN), rng.choice(FAMILY)
                birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 30000))
                holder = Holder(id=uuid.uuid4(), organisation=rng.choice(organisations), data_key=key, imported=True)
                holder.duplicate_index = duplicate_index(key, given, family, birth.isoformat())
                profile = {
                    "given_names": given,
                    "family_names": family,
                    "date_of_birth": birth.isoformat(),
                    "address": f"{rng.randrange(1, 9999)} rue Fictive",
                    "borough": rng.choice(BOROUGHS),
                    "email": "",
                    "phone": "",
                }
                holder.sealed_profile = vault.seal_fields(key, profile, context=holder.profile_context)
                holder.sealed_photo = vault.seal_bytes(key, photo_jpeg, context=holder.photo_context)
                rows.append(holder)
                checks.append(DocumentCheck(holder=holder, identity_points=3, residence_points=2, photo_document=True))
                list_id, index = lists.take()
                issued = now - dt.timedelta(days=rng.randrange(0, 4 * 365))
                expires = issued + dt.timedelta(days=5 * 365)
                is_revoked = rng.random() < revoked_share
                entry = StatusEntry(status_list_id=list_id, index=index, keep_until=expires, status=int(is_revoked))
                entries.append(entry)
                number = _number(numbers, rng)
                claims = CardClaims(
                    issuer=keys.issuer(),
                    card_number=number,
                    given_names=given,
                    family_names=family,
                    date_of_birth=birth.isoformat(),
                    city=settings.SANSPEUR_CITY_NAME,
                    photo=signed_photo,
                    status_list_uri=keys.status_list_uri(list_id),
                    status_index=index,
                    issued_at=issued,
                    expires_at=expires,
                    borough=profile["borough"],
                )
                card = Card(
                    id=uuid.uuid4(),
                    holder=holder,
                    number=number,
                    state=Card.State.REVOKED if is_revoked else Card.State.ACTIVE,
                    reason="lost" if is_revoked else "",
                    status_entry=entry,
                    signing_kid=signer.kid.hex(),
                    issued_at=issued,
                    expires_at=expires,
                )
                card.sealed_code = vault.seal_bytes(
                    key, issue(claims, signer).encode("ascii"), context=card.code_context
                )
                cards.append(card)
                revoked += is_revoked
            Holder.objects.bulk_create(rows, batch_size=batch)
            DocumentCheck.objects.bulk_create(checks, batch_size=batch)
            StatusEntry.objects.bulk_create(entries, batch_size=batch)
            Card.objects.bulk_create(cards, batch_size=batch)
        done += count
        if done % (batch * 25) == 0 or done == holders:
            log(f"holders {done:,} ({done / (time.perf_counter() - started):,.0f}/s)")
    audit = _audit_entries(days=audit_days, per_day=audit_per_day, rng=rng, log=log)
    return {
        "holders": holders,
        "revoked": revoked,
        "status_lists": lists.model.objects.count(),
        "audit_entries": audit,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _organisations() -> list:
    from sanspeur.accounts.models import Organisation

    city, _created = Organisation.objects.get_or_create(kind="city", defaults={"name": "Ville (échelle)"})
    partners = [
        Organisation.objects.get_or_create(name=f"Partenaire échelle {n}", defaults={"kind": "partner"})[0]
        for n in range(9)
    ]
    return [city, *partners]


def _worker(args: tuple) -> dict:
    holders, seed, prefix = args
    return load(holders=holders, seed=seed, list_prefix=prefix, log=lambda message: print(message, file=sys.stderr))


def load_parallel(*, holders: int, workers: int, audit_days: int, audit_per_day: int, log=print) -> dict:
    """``load`` in ``workers`` processes (forked after the database exists), each with its own status
    lists; then the audit entries. The machine's cores sign and seal in parallel."""
    import multiprocessing

    from django.db import connections

    started = time.perf_counter()
    _organisations()
    connections.close_all()
    shares = [holders // workers + (1 if n < holders % workers else 0) for n in range(workers)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        parts = pool.map(_worker, [(share, 2026 + n, f"w{n}-") for n, share in enumerate(shares)])
    rng = random.Random(99)  # noqa: S311
    audit = _audit_entries(days=audit_days, per_day=audit_per_day, rng=rng, log=log)
    from sanspeur.cards.models import StatusList

    return {
        "holders": holders,
        "workers": workers,
        "revoked": sum(part["revoked"] for part in parts),
        "status_lists": StatusList.objects.count(),
        "audit_entries": audit,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _number(numbers: set[str], rng: random.Random) -> str:
    from sanspeur.credential import new_card_number

    while True:
        number = new_card_number()
        if number not in numbers:
            numbers.add(number)
            return number


ACTIONS = ("cards.card.issue", "cards.holder.search", "cards.holder.view", "clinics.booking.checkin", "staff.signin")


def _audit_entries(*, days: int, per_day: int, rng: random.Random, log) -> int:
    """``per_day`` audit entries on each of the last ``days`` days (codes only, as the real ones)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from sanspeur.core.models import AuditEntry

    if not days or not per_day:
        return 0
    start = timezone.now() - dt.timedelta(days=days)
    written = 0
    for day in range(days):
        moment = start + dt.timedelta(days=day)
        rows = [
            AuditEntry(
                at=moment + dt.timedelta(seconds=rng.randrange(0, 86400)),
                actor_username=f"agent{rng.randrange(0, 400)}",
                action=rng.choice(ACTIONS),
                object_type="cards.card",
                object_id=str(uuid.UUID(int=rng.getrandbits(128))),
                detail={},
            )
            for _ in range(per_day)
        ]
        with transaction.atomic():
            AuditEntry.objects.bulk_create(rows, batch_size=5000)
        written += per_day
        if day % 30 == 29:
            log(f"audit entries {written:,}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return written


# --- Benchmarks ---------------------------------------------------------------------------------------
def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
        "n": len(ordered),
    }


def _timed(func, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _staff_client(roles, organisation):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from sanspeur.accounts.models import SealedTOTPDevice
    from sanspeur.accounts.services import staff_user_create

    name = f"bench.{'-'.join(roles)}.{uuid.uuid4().hex[:6]}"
    user = staff_user_create(
        acting_user=None,
        username=name,
        password=secrets.token_urlsafe(24),  # nobody signs in with it: the client is forced in
        organisation=organisation,
        roles=list(roles),
        full_name="Banc d'essai",
        email="",
    )
    device = SealedTOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client, user


def bench_issuance(count: int) -> dict:
    """Issuances per second through ``holder_enroll`` vs an audited no-op action (the baseline)."""
    from django.db import transaction

    from sanspeur.accounts.models import Organisation
    from sanspeur.cards.models import DocumentType
    from sanspeur.cards.services import holder_enroll
    from sanspeur.core.services import audit_entry_create

    organisation = Organisation.objects.filter(kind="partner").first()
    photo = _photo_jpeg()
    documents = list(DocumentType.objects.filter(is_active=True)[:3])
    rng = random.Random(7)  # noqa: S311

    def enroll():
        holder_enroll(
            acting_user=None,
            organisation=organisation,
            profile={
                "given_names": rng.choice(GIVEN),
                "family_names": rng.choice(FAMILY),
                "date_of_birth": dt.date(1980, 1, 1) + dt.timedelta(days=rng.randrange(0, 9000)),
                "address": "1 rue Fictive",
                "borough": BOROUGHS[0],
            },
            photo_jpeg=photo,
            document_types=documents,
        )

    def baseline():
        with transaction.atomic(durable=True):
            audit_entry_create(acting_user=None, action="cards.holder.search", object_type="bench")

    base = _timed(baseline, count)
    real = _timed(enroll, count)
    return {
        "issuances_per_s": round(1000 / statistics.mean(real), 1),
        "baseline_per_s": round(1000 / statistics.mean(base), 1),
        "issuance": _percentiles(real),
        "baseline": _percentiles(base),
        "concurrent": {agents: _concurrent(enroll, baseline, count, agents) for agents in (2, 4, 16)},
    }


def _concurrent(enroll, baseline, count: int, agents: int) -> dict:
    """``agents`` desks issuing at once (threads, one database connection each): throughput and
    p95 latency of an issuance, and of the baseline under the same concurrency."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run(func):
        def one(_n):
            try:
                started = time.perf_counter()
                func()
                return (time.perf_counter() - started) * 1000
            finally:
                connection.close()

        started = time.perf_counter()
        with ThreadPoolExecutor(agents) as pool:
            samples = list(pool.map(one, range(count)))
        return samples, count / (time.perf_counter() - started)

    base, base_rate = run(baseline)
    real, real_rate = run(enroll)
    return {
        "issuances_per_s": round(real_rate, 1),
        "baseline_per_s": round(base_rate, 1),
        "p95_ms": _percentiles(real)["p95_ms"],
        "baseline_p95_ms": _percentiles(base)["p95_ms"],
    }


def bench_search(rounds: int) -> dict:
    """The staff holder search (POST, names and birth date) and the dashboard, interleaved."""
    from sanspeur.accounts.models import Organisation

    organisation = Organisation.objects.filter(kind="partner").first()
    client, _user = _staff_client(["enrollment_agent"], organisation)
    rng = random.Random(11)  # noqa: S311
    search, dashboard = [], []
    for _ in range(rounds):
        data = {
            "given_names": rng.choice(GIVEN),
            "family_names": rng.choice(FAMILY),
            "date_of_birth": (dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 30000))).isoformat(),
        }
        started = time.perf_counter()
        response = client.post("/fr/cards/holders/", data)
        search.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        started = time.perf_counter()
        assert client.get("/fr/staff/").status_code == 200
        dashboard.append((time.perf_counter() - started) * 1000)
    ratio = _percentiles(search)["p95_ms"] / max(_percentiles(dashboard)["p95_ms"], 0.01)
    return {"search": _percentiles(search), "dashboard": _percentiles(dashboard), "p95_ratio": round(ratio, 2)}


def bench_status_lists() -> dict:
    """Rebuild and publish every list; then one revocation until its list is republished."""
    from sanspeur.cards import keys
    from sanspeur.cards.models import Card, StatusList
    from sanspeur.cards.services import card_revoke

    started = time.perf_counter()
    count, _name = keys.publish_all()
    rebuild = time.perf_counter() - started
    sizes = [len(bytes(token)) for token in StatusList.objects.values_list("token", flat=True) if token]
    card = Card.objects.filter(state=Card.State.ACTIVE).select_related("status_entry").order_by("?").first()
    before = StatusList.objects.get(pk=card.status_entry.status_list_id).etag
    started = time.perf_counter()
    card_revoke(acting_user=None, card=card, reason="lost")  # its own transaction; the list is rebuilt on commit
    revoke = time.perf_counter() - started
    after = StatusList.objects.get(pk=card.status_entry.status_list_id).etag
    return {
        "lists": count,
        "rebuild_all_s": round(rebuild, 2),
        "bytes_per_list_max": max(sizes) if sizes else 0,
        "bytes_total": sum(sizes),
        "revocation_to_published_s": round(revoke, 3),
        "list_changed": before != after,
    }


def bench_audit(rounds: int) -> dict:
    """The audit browser filtered by action (page 1 and a deep page) vs the dashboard."""
    from sanspeur.accounts.models import Organisation

    city = Organisation.objects.get(kind="city")
    client, _user = _staff_client(["auditor"], city)
    filtered = _timed(lambda: client.get("/fr/staff/audit/?action=cards.holder.search"), rounds)
    deep = _timed(lambda: client.get("/fr/staff/audit/?action=cards.holder.search&page=200"), rounds)
    dashboard = _timed(lambda: client.get("/fr/staff/"), rounds)
    return {
        "filtered": _percentiles(filtered),
        "deep_page": _percentiles(deep),
        "dashboard": _percentiles(dashboard),
        "p95_ratio": round(_percentiles(filtered)["p95_ms"] / max(_percentiles(dashboard)["p95_ms"], 0.01), 2),
    }


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="a PostgreSQL server URL (the benchmark database is created on it)")
    parser.add_argument("--holders", type=int, default=20_000)
    parser.add_argument("--audit-days", type=int, default=30)
    parser.add_argument("--audit-per-day", type=int, default=2_000)
    parser.add_argument("--issuances", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="loader processes")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument(
        "--bench-only", action="store_true", help="measure the database a --keep run left (same --postgres, keys)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.postgres:
        os.environ["DATABASE_URL"] = args.postgres
    os.environ.setdefault("SANSPEUR_KEY_DIR", tempfile.mkdtemp(prefix="sanspeur-scale-keys-"))
    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = "sanspeur_scale_bench"
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    log = (lambda message: print(message, file=sys.stderr)) if args.json else print
    if args.bench_only:
        from django.db import connections

        connections.close_all()
        settings.DATABASES["default"]["NAME"] = "sanspeur_scale_bench"
        names = []
    else:
        names = setup_databases(verbosity=0, interactive=False)  # always a fresh database (keys are fresh too)
    try:
        if args.bench_only:
            from sanspeur.cards.models import Holder
            from sanspeur.core.models import AuditEntry

            loaded = {"holders": Holder.objects.count(), "audit_entries": AuditEntry.objects.count(), "reused": True}
        else:
            loaded = load_parallel(
                holders=args.holders,
                workers=max(1, args.workers),
                audit_days=args.audit_days,
                audit_per_day=args.audit_per_day,
                log=log,
            )
        result = {
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
            "loaded": loaded,
            "issuance": bench_issuance(args.issuances),
            "search": bench_search(args.rounds),
            "status_lists": bench_status_lists(),
            "audit": bench_audit(max(10, args.rounds // 2)),
            "peak_rss_mb": peak_rss_mb(),
        }
    finally:
        if names and not args.keep:
            teardown_databases(names, verbosity=0)
    print(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
