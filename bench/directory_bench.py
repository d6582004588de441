"""Directory search under concurrent load, on PostgreSQL, behind a real WSGI server.

    .venv/bin/python bench/directory_bench.py [--services 10000] [--seconds 40] [--clients 16] [--json]

1. Creates a dedicated database (``sanspeur_bench`` on the server of ``DATABASE_URL``, default
   postgres://postgres@127.0.0.1:5432/postgres), runs the Django migrations into it and bulk-loads
   N fictional services (each with an organisation, one or two sites, an address, a phone, one or
   two weekly schedules, needs and a service area; 1 in 12 sites confidential).
2. Serves the app with gunicorn (2 sync workers) on 127.0.0.1, settings
   ``sanspeur.settings.production`` (generated secret key and master-key file, SSL redirect off,
   static files collected into a temporary folder).
3. 16 client threads (http.client, 127.0.0.1 only) send for a bounded time a mix of realistic
   search URLs and, interleaved under the same load, the trivial ``/healthz`` view.
4. Prints the service time of each URL one request at a time (median of 7), then under load
   p50/p95/p99 latency and throughput per kind, the ratio search p95 / trivial p95 (goal <= 3x),
   and EXPLAIN ANALYZE of the page and count queries of the slowest search URL.
5. Stops the server and drops the database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
VENV_BIN = ROOT / ".venv" / "bin"
DB_NAME = "sanspeur_bench"

SEARCH_URLS = [
    "/fr/directory/",
    "/fr/directory/?q=aide+alimentaire",
    "/fr/directory/?q=sante&need=health",
    "/en/directory/?q=legal+clinic",
    "/fr/directory/?need=food&borough=verdun",
    "/fr/directory/?need=housing&open_now=1",
    "/fr/directory/?open_now=1&free=1",
    "/es/directory/?language=es&need=health",
    "/fr/directory/?near_fsa=H3T&need=food",
    "/fr/directory/?near_borough=rosemont-la-petite-patrie&open_now=1",
    "/fr/directory/?q=banque&card=1",
    "/fr/directory/?need=food&page=7",
    "/ar/directory/?near_fsa=H1G&language=ar",
    "/fr/directory/map.json?need=legal",
]
TRIVIAL_URL = "/healthz"


# --- database ---------------------------------------------------------------------------------


def server_url() -> str:
    return os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def bench_url(conn_max_age: int = 60) -> str:
    # Always explicit, so ``--conn-max-age 0`` measures a new connection per request even though
    # production settings default to 60 s.
    parts = urlparse(server_url())
    return urlunparse(parts._replace(path="/" + DB_NAME, query=f"conn_max_age={conn_max_age}"))


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(server_url().replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(sql)


def populate(count: int, seed: int = 7) -> None:
    """Runs inside a child process with Django set up on the bench database."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    from sanspeur.directory import i18n
    from sanspeur.directory.models import (
        Address,
        Borough,
        Location,
        Organization,
        Phone,
        Schedule,
        Service,
        ServiceAtLocation,
        TaxonomyTerm,
    )
    from sanspeur.directory.reference import ensure_reference_data
    from sanspeur.directory.services import build_search_text

    rng = random.Random(seed)
    ensure_reference_data()
    boroughs = list(Borough.objects.order_by("code"))
    needs = list(TaxonomyTerm.objects.filter(taxonomy__code="needs").order_by("code"))
    words_fr = ["Aide", "Clinique", "Banque", "Centre", "Maison", "Comptoir", "Carrefour", "Service", "Halte"]
    what_fr = ["alimentaire", "juridique", "de santé", "d'hébergement", "familial", "de quartier", "d'emploi"]
    what_en = ["food", "legal clinic", "health", "housing", "family", "neighbourhood", "employment"]
    schedules = [
        [("MO,TU,WE,TH,FR", dt.time(9), dt.time(17))],
        [("MO,WE,FR", dt.time(13), dt.time(20)), ("SA", dt.time(10), dt.time(14))],
        [("MO,TU,WE,TH,FR,SA,SU", dt.time(0), dt.time(23, 59))],
        [("TU,TH", dt.time(18), dt.time(2))],
        [("MO,TU,WE,TH,FR", dt.time(8, 30), dt.time(12)), ("MO,TU,WE,TH,FR", dt.time(13), dt.time(16, 30))],
    ]
    langs = [["fr"], ["fr", "en"], ["fr", "en", "es"], ["fr", "ar"], ["fr", "ht", "es"], ["fr", "en", "zh"]]
    codes = [c for c, _ in settings.LANGUAGES]
    batch = 1000
    with transaction.atomic():
        for start in range(0, count, batch):
            orgs, services, locs, addrs, phones, sals, scheds = [], [], [], [], [], [], []
            needs_links, area_links = [], []
            for n in range(start, min(count, start + batch)):
                k = rng.randrange(len(what_fr))
                borough = boroughs[rng.randrange(len(boroughs))]
                org = Organization(name={"fr": f"Organisme fictif {n}", "en": f"Fictional organisation {n}"})
                name = {"fr": f"{rng.choice(words_fr)} {what_fr[k]} {n}"}
                if rng.random() < 0.8:
                    name["en"] = f"{what_en[k].capitalize()} service {n}"
                service = Service(
                    organization=org,
                    name=name,
                    description={"fr": f"Service fictif numéro {n}", "en": f"Fictional service number {n}"},
                    languages=rng.choice(langs),
                    is_free=rng.random() < 0.8,
                    accepts_card=rng.random() < 0.4,
                    no_id_needed=rng.random() < 0.5,
                )
                chosen = rng.sample(needs, rng.randint(1, 2))
                sites = []
                for m in range(1 if rng.random() < 0.8 else 2):
                    b = borough if m == 0 else boroughs[rng.randrange(len(boroughs))]
                    loc = Location(
                        organization=org,
                        name={"fr": f"Point de service {n}-{m}"},
                        borough=b,
                        latitude=b.latitude + rng.uniform(-0.02, 0.02),
                        longitude=b.longitude + rng.uniform(-0.03, 0.03),
                        is_confidential=rng.random() < 1 / 12,
                        intake_phone="514-555-0100",
                    )
                    sites.append(loc)
                    locs.append(loc)
                    addrs.append(Address(location=loc, address_1=f"{100 + n} rue Fictive", postal_code="H2X 1A1"))
                    sals.append(ServiceAtLocation(service=service, location=loc))
                phones.append(Phone(service=service, number=f"514-555-{n % 10000:04d}"))
                for days, opens, closes in rng.choice(schedules):
                    scheds.append(Schedule(service=service, byday=days, opens_at=opens, closes_at=closes))
                parts = [*i18n.all_values(service.name), *i18n.all_values(service.description)]
                parts += [*i18n.all_values(org.name), *(v for t in chosen for v in i18n.all_values(t.name))]
                parts += [s.borough.name for s in sites]
                service.search_text = i18n.plain(" ".join(parts))
                service.refresh_derived()
                orgs.append(org)
                services.append(service)
                needs_links += [Service.needs.through(service=service, taxonomyterm=t) for t in chosen]
                area_links.append(Service.service_areas.through(service=service, borough=borough))
            Organization.objects.bulk_create(orgs)
            Service.objects.bulk_create(services)
            Location.objects.bulk_create(locs)
            Address.objects.bulk_create(addrs)
            Phone.objects.bulk_create(phones)
            ServiceAtLocation.objects.bulk_create(sals)
            Schedule.objects.bulk_create(scheds)
            Service.needs.through.objects.bulk_create(needs_links)
            Service.service_areas.through.objects.bulk_create(area_links)
    assert build_search_text  # the same folding as services.build_search_text
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"populated {Service.objects.count()} services, languages {codes}", flush=True)


def explain(path: str) -> None:
    """EXPLAIN ANALYZE of the page query and the count for one search URL (child process)."""
    import django

    django.setup()
    from django.http import QueryDict
    from django.test import RequestFactory
    from django.utils import translation

    from sanspeur.directory import selectors, views

    lang = path.split("/")[1]
    query = path.split("?", 1)[1] if "?" in path else ""
    request = RequestFactory().get(path)
    request.GET = QueryDict(query)
    with translation.override(lang):
        plan = selectors.search_plan(**views._params(request))
        # the two queries of selectors.search_page that touch many rows
        ids = plan.queryset.values_list("pk", flat=True)[:20]
        print("-- page of ids (sort + cut):\n" + ids.explain(analyze=True))
        print("-- count:\n" + plan.filtered.order_by().values("pk").explain(analyze=True))


# --- server and load --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> tuple[int, float]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        status = response.status
    finally:
        conn.close()
    return status, time.perf_counter() - start


def load(port: int, *, clients: int, seconds: float, max_requests: int, trivial_share: float) -> dict:
    samples: dict[str, list[float]] = {"search": [], "trivial": []}
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    counter = iter(range(max_requests))

    def client(i: int) -> None:
        rng = random.Random(i)
        while time.perf_counter() < deadline:
            with lock:
                if next(counter, None) is None:
                    return
            kind = "trivial" if rng.random() < trivial_share else "search"
            path = TRIVIAL_URL if kind == "trivial" else rng.choice(SEARCH_URLS)
            status, elapsed = get(port, path)
            with lock:
                if status != 200:
                    errors.append(f"{status} {path}")
                samples[kind].append(elapsed)
                by_url.setdefault(path, []).append(elapsed)

    by_url: dict[str, list[float]] = {}
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    wall = time.perf_counter() - started
    return {"samples": samples, "by_url": by_url, "errors": errors, "wall": wall}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def summary(values: list[float], wall: float) -> dict:
    return {
        "requests": len(values),
        "per_second": round(len(values) / wall, 1),
        "p50_ms": round(pct(values, 50), 1),
        "p95_ms": round(pct(values, 95), 1),
        "p99_ms": round(pct(values, 99), 1),
        "mean_ms": round(statistics.mean(values) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--trivial-share", type=float, default=0.25)
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="seconds a worker keeps its database connection (DATABASE_URL ?conn_max_age=); "
        "60 as in production settings, 0 = a new connection per request",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database (debugging)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["populate", "explain"], help=argparse.SUPPRESS)
    parser.add_argument("--path", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "populate":
        return populate(args.services)
    if args.child == "explain":
        return explain(args.path)

    work = Path(tempfile.mkdtemp(prefix="sanspeur-dirbench-"))
    from sanspeur.core.keys import new_keyring_document

    key_file = work / "master-keys.json"
    key_file.write_text(json.dumps(new_keyring_document()))
    key_file.chmod(0o600)
    env = {
        **os.environ,
        "DATABASE_URL": bench_url(args.conn_max_age),
        "DJANGO_SETTINGS_MODULE": "sanspeur.settings.production",
        "SANSPEUR_SECRET_KEY": secrets.token_urlsafe(50),
        "SANSPEUR_ALLOWED_HOSTS": "127.0.0.1",
        "SANSPEUR_MASTER_KEY_FILE": str(key_file),
        "SANSPEUR_SSL_REDIRECT": "false",
        "SANSPEUR_CACHE_URL": os.environ.get("SANSPEUR_CACHE_URL", "redis://127.0.0.1:6379/14"),
        "SANSPEUR_DATA_DIR": str(work),
        "PYTHONPATH": str(ROOT / "src"),
    }
    run = lambda *cmd: subprocess.run(cmd, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)  # noqa: E731
    me = [sys.executable, str(Path(__file__).resolve())]
    server = None
    admin(f"DROP DATABASE IF EXISTS {DB_NAME}")
    admin(f"CREATE DATABASE {DB_NAME}")
    try:
        t0 = time.perf_counter()
        run(str(VENV_BIN / "sanspeur"), "migrate", "--noinput")
        run(str(VENV_BIN / "sanspeur"), "collectstatic", "--noinput")
        subprocess.run([*me, "--child", "populate", "--services", str(args.services)], env=env, check=True)
        setup_s = time.perf_counter() - t0
        port = free_port()
        server = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "sanspeur.wsgi:application", "--workers", str(args.workers)]
            + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60"],
            env=env,
            cwd=ROOT,
        )
        for _ in range(100):
            try:
                if get(port, TRIVIAL_URL)[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        for path in [*SEARCH_URLS, TRIVIAL_URL]:  # warm both workers
            for _ in range(2):
                status, _elapsed = get(port, path)
                assert status == 200, (status, path)
        # Service time, one request at a time (no queueing): median of 7 per URL.
        sequential = {}
        for path in [*SEARCH_URLS, TRIVIAL_URL]:
            sequential[path] = round(statistics.median(get(port, path)[1] for _ in range(7)) * 1000, 1)
        out = load(
            port,
            clients=args.clients,
            seconds=args.seconds,
            max_requests=args.max_requests,
            trivial_share=args.trivial_share,
        )
        search, trivial = out["samples"]["search"], out["samples"]["trivial"]
        per_url = {u: round(pct(v, 95), 1) for u, v in sorted(out["by_url"].items())}
        slowest = max((u for u in per_url if u != TRIVIAL_URL), key=per_url.get)
        plan = subprocess.run(
            [*me, "--child", "explain", "--path", slowest], env=env, check=True, capture_output=True, text=True
        ).stdout
        report = {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "command": " ".join(["bench/directory_bench.py", *sys.argv[1:]]),
            "services": args.services,
            "setup_seconds": round(setup_s, 1),
            "clients": args.clients,
            "workers": args.workers,
            "conn_max_age": args.conn_max_age,
            "seconds": round(out["wall"], 1),
            "errors": out["errors"][:10],
            "search": summary(search, out["wall"]),
            "trivial": summary(trivial, out["wall"]),
            "ratio_p95": round(pct(search, 95) / pct(trivial, 95), 2),
            "p95_by_url_ms": per_url,
            "sequential_median_ms": sequential,
            "slowest_url": slowest,
            "explain": plan,
        }
    finally:
        if server:
            server.terminate()
            server.wait(10)
        if not args.keep:
            admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['date']} — {report['machine']} — {report['command']}")
    print(
        f"{args.services} services, setup {report['setup_seconds']} s; {args.clients} clients, {args.workers} workers"
    )
    for kind in ("search", "trivial"):
        s = report[kind]
        print(
            f"{kind:8} {s['requests']:6} req {s['per_second']:7} req/s  "
            f"p50 {s['p50_ms']} ms  p95 {s['p95_ms']} ms  p99 {s['p99_ms']} ms"
        )
    print(f"search p95 / trivial p95 = {report['ratio_p95']} (goal <= 3)")
    print("errors:", report["errors"] or "none")
    print("p95 by URL (ms):")
    for url, value in per_url.items():
        print(f"  {value:8} {url}")
    print("one client at a time, median of 7 (ms):")
    for url, value in report["sequential_median_ms"].items():
        print(f"  {value:8} {url}")
    print(f"EXPLAIN ANALYZE, slowest search URL {slowest}:\n{plan}")


if __name__ == "__main__":
    main()
