"""Training coverage at 20,000 staff in 400 units: the coverage page's query against a trivial one.

    DJANGO_SETTINGS_MODULE=sanspeur.settings.test .venv/bin/python bench/training_coverage_bench.py \
        [--people 20000] [--units 400] [--rounds 15] [--json]

Runs on the database of ``DATABASE_URL`` (SQLite when unset; PostgreSQL with
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres``) in a throw-away test database
(Django's ``setup_databases``: created, migrated, dropped at the end).

1. Bulk-loads a tree of units (2 services → 20 regions → stations; ``--units`` in all), a
   headcount per unit for two months, one course with a requirement at each root, and
   ``--people`` trainees with one completion each: 70 % valid (some expiring), 10 % expired,
   15 % assigned (half of them overdue), 5 % exempt. The trainees share one data key: the
   coverage query never reads names, and sealing 20,000 names would only time the vault.
2. Times, in the same run and interleaved: ``selectors.coverage_tree()`` (the coverage page's
   queries), the whole coverage page through Django's test client as a coordinator, and a trivial
   query (``SELECT`` of one unit by primary key) as the baseline. Median and p90 of ``--rounds``.
3. Prints the queries of one coverage computation (their number does not depend on the people).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanspeur.settings.test")


def _timed(func, rounds: int) -> dict:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p90_ms": round(samples[max(0, int(len(samples) * 0.9) - 1)], 2),
        "min_ms": round(samples[0], 2),
    }


def load(people: int, units: int) -> dict:
    from sanspeur.core import vault
    from sanspeur.training import services
    from sanspeur.training.models import Completion, Course, CourseVersion, Headcount, Person, Requirement, Unit

    rng = random.Random(400)  # noqa: S311 - fictional data
    today = dt.datetime.now(dt.UTC).date()
    roots = [
        Unit.objects.create(code="POL", name_fr="Police", kind="police", path="", depth=0),
        Unit.objects.create(code="VIL", name_fr="Ville", kind="city_service", path="", depth=0),
    ]
    for root in roots:
        root.path = f"{root.pk:06d}/"
        root.save(update_fields=["path"])
    regions = []
    for index in range(20):
        parent = roots[index % 2]
        unit = Unit.objects.create(
            code=f"R{index}", name_fr=f"Région {index}", kind=parent.kind, parent=parent, depth=1
        )
        unit.path = f"{parent.path}{unit.pk:06d}/"
        unit.save(update_fields=["path"])
        regions.append(unit)
    leaves = []
    for index in range(units - len(roots) - len(regions)):
        parent = regions[index % len(regions)]
        unit = Unit.objects.create(code=f"S{index}", name_fr=f"Poste {index}", kind=parent.kind, parent=parent, depth=2)
        unit.path = f"{parent.path}{unit.pk:06d}/"
        unit.save(update_fields=["path"])
        leaves.append(unit)
    per_leaf = people // len(leaves)
    Headcount.objects.bulk_create(
        [
            Headcount(unit=leaf, period=period, headcount=per_leaf + rng.randint(0, 8))
            for leaf in leaves
            for period in (today.replace(day=1), (today.replace(day=1) - dt.timedelta(days=40)).replace(day=1))
        ]
    )
    course = Course.objects.create(code="acces-sans-peur")
    version = CourseVersion.objects.create(
        course=course, number=1, title_fr="Accès", title_en="Access", modes=["in_person"], published_on=today
    )
    for root in roots:
        Requirement.objects.create(unit=root, course=course, refresh_months=24, grace_days=30, target_percent=95)
    key = vault.datakey_create(purpose=services.PERSON_PURPOSE)
    Person.objects.bulk_create(
        [Person(unit=leaves[index % len(leaves)], data_key=key, created_on=today) for index in range(people)],
        batch_size=2000,
    )
    completions = []
    for pk in Person.objects.values_list("pk", flat=True):
        draw = rng.random()
        done = today - dt.timedelta(days=rng.randint(1, 700))
        if draw < 0.70:
            valid_until = services.add_months(done, 24)
            state = "expiring" if valid_until <= today + dt.timedelta(days=90) else "completed"
            completions.append(
                Completion(
                    person_id=pk,
                    course=course,
                    version=version,
                    state=state,
                    assigned_on=done,
                    completed_on=done,
                    valid_until=valid_until,
                    due_on=valid_until + dt.timedelta(days=30),
                )
            )
        elif draw < 0.80:
            old = done - dt.timedelta(days=800)
            completions.append(
                Completion(
                    person_id=pk,
                    course=course,
                    version=version,
                    state="expired",
                    assigned_on=old,
                    completed_on=old,
                    valid_until=services.add_months(old, 24),
                    due_on=services.add_months(old, 24) + dt.timedelta(days=30),
                )
            )
        elif draw < 0.95:
            completions.append(
                Completion(
                    person_id=pk,
                    course=course,
                    state="assigned",
                    assigned_on=done,
                    due_on=done + dt.timedelta(days=rng.choice((30, 1000))),
                )
            )
        else:
            completions.append(
                Completion(person_id=pk, course=course, state="exempt", assigned_on=done, exemption_reason="long_leave")
            )
    Completion.objects.bulk_create(completions, batch_size=2000)
    return {"units": Unit.objects.count(), "people": Person.objects.count(), "completions": len(completions)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--units", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_databases, teardown_databases
    from django_otp import DEVICE_ID_SESSION_KEY

    old = setup_databases(verbosity=0, interactive=False)
    try:
        from sanspeur.accounts.models import Organisation, SealedTOTPDevice
        from sanspeur.accounts.roles import sync_roles
        from sanspeur.accounts.services import staff_user_create
        from sanspeur.training import selectors
        from sanspeur.training.models import Unit

        started = time.perf_counter()
        loaded = load(args.people, args.units)
        load_seconds = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        sync_roles()
        city = Organisation.objects.create(name="Ville (banc d'essai)", kind="city")
        user = staff_user_create(
            acting_user=None,
            username="bench.training",
            password="bench password 2026!",  # noqa: S106 - a throw-away database
            organisation=city,
            roles=["training_coordinator"],
        )
        device = SealedTOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        first_unit = Unit.objects.order_by("pk").first().pk

        def trivial():
            Unit.objects.filter(pk=first_unit).values_list("code", flat=True).first()

        def coverage():
            tree = selectors.coverage_tree()
            assert len(tree) == loaded["units"]

        def page():
            response = client.get("/fr/training/")
            assert response.status_code == 200, response.status_code

        for func in (trivial, coverage, page):  # warm-up
            func()
        queries: list[dict] = []

        def record(execute, sql, params, many, context):
            queries.append({"sql": sql})
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            coverage()
        results = {"trivial": [], "coverage": [], "page": []}
        rounds = {"trivial": trivial, "coverage": coverage, "page": page}
        for _ in range(args.rounds):  # interleaved, so that the machine's load hits all three alike
            for name, func in rounds.items():
                results[name].append(_timed(func, 1)["median_ms"])
        summary = {}
        for name, samples in results.items():
            samples.sort()
            summary[name] = {
                "median_ms": round(statistics.median(samples), 2),
                "p90_ms": round(samples[max(0, int(len(samples) * 0.9) - 1)], 2),
            }
        version = connection.Database.sqlite_version if connection.vendor == "sqlite" else connection.pg_version
        police = selectors.coverage_tree()[Unit.objects.get(code="POL").pk].courses[0]
        report = {
            "database": f"{connection.vendor} {version}",
            "python": platform.python_version(),
            "cores": os.cpu_count(),
            "loadavg": os.getloadavg(),
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "loaded": loaded,
            "load_seconds": round(load_seconds, 1),
            "queries_per_coverage": len(queries),
            "police_coverage": {"headcount": police.headcount, "covered": police.covered, "percent": police.percent},
            "timings": summary,
            "ratio_coverage_to_trivial": round(summary["coverage"]["median_ms"] / summary["trivial"]["median_ms"], 1),
        }
    finally:
        teardown_databases(old, verbosity=0)
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"{report['database']}, Python {report['python']}, {report['cores']} cores, load {report['loadavg']}")
    print(f"loaded {loaded} in {report['load_seconds']} s; {report['queries_per_coverage']} queries per coverage")
    for name, values in summary.items():
        print(f"{name:<9} median {values['median_ms']:>9.2f} ms   p90 {values['p90_ms']:>9.2f} ms")
    print(f"coverage / trivial: {report['ratio_coverage_to_trivial']}x; police {report['police_coverage']}")
    for query in queries:
        print("  ", query["sql"][:160])


if __name__ == "__main__":
    main()
