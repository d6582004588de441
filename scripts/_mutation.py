"""Mutation testing of the guards (run it with scripts/mutation; docs/benchmarks.md has the scores).

mutmut mutates the files listed in ``[tool.mutmut] only_mutate`` (pyproject.toml); this script runs
the mutants of the guard functions only (``GUARD_FUNCTIONS`` narrows a file to some of its
functions), then fails when a mutant survives that ``scripts/mutation-allowed.txt`` does not
explain. A new guard module is one line in ``only_mutate`` (and its test file in
``pytest_add_cli_args_test_selection`` when the selection does not already hold it).

Two things make mutmut 3.8 trustworthy on this project, both applied in the process that runs it
(``--mutmut``), never to the source tree:

- mutmut never mutates a decorated function, and every service is an ``@action``, ``job_lock`` a
  ``@contextmanager`` and the kernel's ``run`` a ``@wraps``: without help the lifecycle and the
  kernel would have no mutant at all. Before mutating a file we rewrite ``@d def f`` as
  ``def f`` followed by ``f = d(f)`` (the same function object, decorated the same way), so the
  body gets mutants and the decorator still wraps the trampoline that picks the mutant.
- each process that runs tests gets its own test database and key folder: they are named once,
  when the settings are imported, so two workers (or a worker after the clean run) would share
  one SQLite file and "kill" mutants with each other's errors.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = ROOT / "scripts" / "mutation-allowed.txt"
MUTMUT = str(Path(sys.executable).parent / "mutmut")

# Files of only_mutate that also hold code that is not a guard (issuing, enrollment, reminders):
# only these functions' mutants are run and counted. "Class.method" for a method.
GUARD_FUNCTIONS = {
    "src/sanspeur/cards/services.py": (
        "card_renew",
        "card_revoke",
        "card_suspend",
        "card_reinstate",
        "card_replace",
        "card_expire",
        "card_pdf_download",
        "holder_forget",
        "holder_shred",
        "card_rules_update",
        "_set_state",  # the state and status-list change of revoke, suspend, reinstate, replace
        "_shred",  # the crypto-shredding of forget and shred
        "_old_and_new",  # the audited old and new values of a rules change
    ),
    "src/sanspeur/credential/cose.py": (
        "CoseError.__init__",
        "strict_cbor_loads",
        "Sign1.kid",
        "Sign1.typ",
        "Sign1.to_be_signed",
        "Sign1.verify",
        "_bstr_head",
        "sig_structure",
        "_parse_protected",
        "_head_length",
        "parse_sign1",
    ),
    "src/sanspeur/credential/statuslist.py": (
        "StatusListToken.__post_init__",
        "StatusListToken.kid",
        "StatusListToken.status",
        "_decompress",
        "parse_status_list_token",
        "_time",
    ),
    "src/sanspeur/credential/trustlist.py": (
        "TrustedKey.__post_init__",
        "TrustedKey.is_trusted",
        "TrustList.find",
        "load_public_keys_pem",
        "_time",
        "_parse_key",
        "load_trust_list",
    ),
}

KILLED = {"killed"}

# A mutant of a module under one of these prefixes is judged by the tests under the given folder
# only: the credential package is pure Python with its own tests, and the card tests that issue
# cards through it would only add minutes (a database per run) without judging it better.
# The policy's mutants are judged by its own tests and the staff pages' tests: the URL matrix
# (every URL for every role) reaches every rule too, but takes minutes per mutant.
JUDGED_BY = {
    "sanspeur.credential.": ("tests/credential/",),
    "sanspeur.accounts.policy.": (
        "tests/accounts/test_policy.py",
        "tests/accounts/test_access.py",
        "tests/accounts/test_lifecycle.py",
        "tests/accounts/test_staff_management.py",
        "tests/accounts/test_organisations.py",
    ),
}


# --- what is run and counted ---------------------------------------------------------------------
def mutmut_config() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["tool"]["mutmut"]


def module_of(path: str) -> str:
    return path.removeprefix("src/").removesuffix(".py").replace("/", ".")


def mangled(function: str) -> str:
    cls, _, name = function.rpartition(".")
    return f"x\u01c1{cls}\u01c1{name}" if cls else f"x_{name}"


def patterns_by_module() -> dict[str, list[str]]:
    """Mutant-name patterns (fnmatch) of the guards, per module of only_mutate."""
    patterns = {}
    for path in mutmut_config()["only_mutate"]:
        module = module_of(path)
        functions = GUARD_FUNCTIONS.get(path)
        if functions is None:
            patterns[module] = [f"{module}.*"]
        else:
            patterns[module] = [f"{module}.{mangled(function)}__mutmut_*" for function in functions]
    return patterns


def missing_guard_functions() -> list[str]:
    """The entries of GUARD_FUNCTIONS that name no function of their file."""
    import ast

    missing = []
    for path, functions in GUARD_FUNCTIONS.items():
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        found = set()
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                found.add(node.name)
            elif isinstance(node, ast.ClassDef):
                found.update(f"{node.name}.{item.name}" for item in node.body if isinstance(item, ast.FunctionDef))
        missing += [f"{path}:{function}" for function in functions if function not in found]
    return missing


def read_allowed() -> dict[str, str]:
    """``mutant-name  reason`` per line; blank lines and lines starting with # are ignored."""
    allowed = {}
    for number, line in enumerate(ALLOWED.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, reason = line.partition(" ")
        if not reason.strip():
            sys.exit(f"{ALLOWED.name}:{number}: {name} needs a reason")
        allowed[name] = reason.strip()
    return allowed


def mutmut(*args: str, env: dict | None = None, quiet: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, __file__, "--mutmut", *args]
    output = subprocess.DEVNULL if quiet else None
    return subprocess.run(command, cwd=ROOT, env=env, check=False, stdout=output, stderr=output, text=True)  # noqa: S603


def results() -> dict[str, str]:
    done = subprocess.run(  # noqa: S603
        [MUTMUT, "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    found = {}
    for line in done.stdout.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            found[name] = status
    return found


def show(name: str) -> str:
    done = subprocess.run(  # noqa: S603
        [MUTMUT, "show", name], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def postgres_url() -> str | None:
    url = os.environ.get("SANSPEUR_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if shutil.which("pg_isready") is None:
        return None
    ready = subprocess.run(["pg_isready", "-q", "-d", url], check=False)  # noqa: S603, S607
    return url if ready.returncode == 0 else None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="mutants tested at once")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL rerun of the survivors")
    options = parser.parse_args(argv)

    started = time.monotonic()
    missing = missing_guard_functions()
    if missing:
        print(f"GUARD_FUNCTIONS names functions that do not exist (renamed?): {', '.join(missing)}", file=sys.stderr)
        return 2
    by_module = patterns_by_module()
    every_pattern = [pattern for patterns in by_module.values() for pattern in patterns]
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)  # a fresh run: no result kept from old code
    (ROOT / "mutants" / "tmp").mkdir(parents=True)
    env = {**os.environ, "TMPDIR": str(ROOT / "mutants" / "tmp")}
    env.pop("DATABASE_URL", None)
    template = str(ROOT / "mutants" / "tmp" / "template.sqlite3")
    subprocess.run([sys.executable, __file__, "--template", template], cwd=ROOT, env=env, check=True)  # noqa: S603
    print(f"== mutmut on SQLite: {len(by_module)} modules, {options.jobs} at once", flush=True)
    sqlite = {**env, "SANSPEUR_MUTATION_DB_TEMPLATE": template}
    if mutmut("run", "--max-children", str(options.jobs), *every_pattern, env=sqlite, quiet=True).returncode:
        print("mutmut failed; run it by hand to see why:", file=sys.stderr)
        print(f"  {sys.executable} {__file__} --mutmut run --max-children 1 {every_pattern[0]!r}", file=sys.stderr)
        return 2

    status = {
        name: value
        for name, value in results().items()
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in every_pattern)
    }
    # Row locks, their time limit and the jobs' advisory locks only exist on PostgreSQL: what
    # SQLite let live gets a second chance there.
    living = sorted(name for name, value in status.items() if value not in KILLED)
    pg_note = "no survivor needed PostgreSQL"
    if living:
        url = None if options.no_postgres else postgres_url()
        if url:
            print(f"== the {len(living)} mutants SQLite did not kill, on PostgreSQL", flush=True)
            # Which tests reach which function is measured again there: the postgres_only tests
            # were skipped on SQLite, so the first measure maps them to nothing.
            (ROOT / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
            mutmut("run", "--max-children", str(options.jobs), *living, env={**env, "DATABASE_URL": url}, quiet=True)
            again = results()
            status.update({name: again[name] for name in living})
            pg_note = f"{len(living)} survivors of SQLite rerun on PostgreSQL"
        else:
            pg_note = "survivors not rerun on PostgreSQL (" + ("--no-postgres" if options.no_postgres else "not reachable") + ")"
            print(f"== {pg_note}", flush=True)


    allowed = read_allowed()
    failing, per_module = [], defaultdict(Counter)
    for name, value in sorted(status.items()):
        module = next(module for module, patterns in by_module.items() if name.startswith(module + "."))
        per_module[module][value] += 1
        if value not in KILLED and name not in allowed:
            failing.append(name)

    width = max(len(module) for module in per_module)
    print("== score (killed / mutants; survivors in scripts/mutation-allowed.txt)")
    for module in by_module:
        counts = per_module[module]
        total, killed = sum(counts.values()), sum(counts[value] for value in KILLED)
        others = ", ".join(f"{value} {count}" for value, count in sorted(counts.items()) if value not in KILLED)
        print(f"  {module:<{width}}  {killed:>4} / {total:<4} {others}")
    stale = sorted(name for name in allowed if status.get(name) in KILLED or name not in status)
    for name in stale:
        print(f"  note: {name} is allowed but {'killed' if name in status else 'no longer exists'}: remove it")
    print(f"  {pg_note}; {round(time.monotonic() - started)} s")
    if failing:
        print(f"\n{len(failing)} mutants live that no test kills and the allow-list does not explain:\n")
        for name in failing:
            print(show(name) + "\n")
        print("Kill each with a test of the behaviour it changes, or explain it in scripts/mutation-allowed.txt.")
        return 1
    return 0


# --- inside the mutmut process ---------------------------------------------------------------------
def undecorate(source: str) -> str:
    """``@d1 @d2 def f`` -> ``def f`` then ``f = d1(d2(f))``, for every function whose decorators do
    not mention its own name (``@x.setter``) and that mutmut does not handle itself
    (``@staticmethod``, ``@classmethod``). The rebinding line is marked ``pragma: no mutate``."""
    import libcst as cst

    empty = cst.Module(body=[])

    class Undecorate(cst.CSTTransformer):
        def leave_FunctionDef(self, original, updated):
            if not updated.decorators:
                return updated
            name = updated.name.value
            expressions = [empty.code_for_node(decorator.decorator) for decorator in updated.decorators]
            if any(re.search(rf"\b{re.escape(name)}\b", text) for text in expressions):
                return updated
            if any(text in ("staticmethod", "classmethod") for text in expressions):
                return updated
            wrapped = name
            for text in reversed(expressions):
                wrapped = f"({text})({wrapped})"
            rebind = cst.parse_statement(f"{name} = {wrapped}  # pragma: no mutate\n")
            return cst.FlattenSentinel([updated.with_changes(decorators=[]), rebind])

    return cst.parse_module(source).visit(Undecorate()).code


def own_test_resources() -> Callable[[], None]:
    """Give this process its own test database and key folder (see the module docstring); return
    what removes them. On SQLite the database is a copy of a migrated template (``--template``)."""
    import tempfile

    from django.conf import settings

    global _BASE_NAMES
    if _BASE_NAMES is None:
        _BASE_NAMES = {alias: db.get("TEST", {}).get("NAME") for alias, db in settings.DATABASES.items()}
    tag = f"m{os.getpid()}"
    folder = Path(tempfile.mkdtemp(prefix=f"{tag}-"))
    for alias, db in settings.DATABASES.items():
        if not _BASE_NAMES.get(alias):
            continue
        if db["ENGINE"].endswith("sqlite3"):
            db["TEST"]["NAME"] = str(folder / f"{alias}.sqlite3")
            if TEMPLATE:
                shutil.copyfile(TEMPLATE, db["TEST"]["NAME"])
        else:
            db["TEST"]["NAME"] = f"{_BASE_NAMES[alias]}_{tag}"
    settings.SANSPEUR_KEY_DIR = folder / "keys"
    return lambda: shutil.rmtree(folder, ignore_errors=True)


_BASE_NAMES: dict | None = None
TEMPLATE = os.environ.get("SANSPEUR_MUTATION_DB_TEMPLATE")


def make_template(path: str) -> None:
    """A migrated SQLite test database, copied by every test run of the mutation run."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DATABASES["default"]["TEST"]["NAME"] = path
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    connection.close()


class SameHypothesis:
    """Hypothesis the same way in every run (the same examples, no shrinking, no example database
    shared between mutants): a mutant is killed or not, never by luck. A pytest plugin, so that
    hypothesis is imported after pytest has set up its assertion rewriting."""

    def pytest_configure(self, config):
        from hypothesis import Phase, settings

        settings.register_profile(
            "mutation", derandomize=True, database=None, phases=[Phase.explicit, Phase.generate], print_blob=False
        )
        settings.load_profile("mutation")


def run_mutmut(args: list[str]) -> None:
    import mutmut.__main__ as mutmut_main
    from mutmut.runners.harness import PytestRunner

    write_all_mutants_to_file = mutmut_main.write_all_mutants_to_file
    execute_pytest = PytestRunner.execute_pytest

    def write_undecorated(*, out, source, filename):
        return write_all_mutants_to_file(out=out, source=undecorate(source), filename=filename)

    def execute_pytest_apart(self, params, **kwargs):
        remove = own_test_resources()
        kwargs["plugins"] = [*kwargs.get("plugins", []), SameHypothesis()]
        try:
            # --reuse-db: the copied template is kept (migrate finds nothing to apply), not re-created.
            return execute_pytest(self, [*params, "--reuse-db"] if TEMPLATE else params, **kwargs)
        finally:
            remove()

    mutmut_main.write_all_mutants_to_file = write_undecorated
    collect_or_load_stats = mutmut_main.collect_or_load_stats

    def collect_or_load_stats_judged(*args, **kwargs):
        collect_or_load_stats(*args, **kwargs)
        tests_by_function = mutmut_main.state().tests_by_mangled_function_name
        for function, tests in tests_by_function.items():
            for prefix, folders in JUDGED_BY.items():
                if function.startswith(prefix):
                    tests_by_function[function] = {test for test in tests if test.startswith(folders)}

    mutmut_main.collect_or_load_stats = collect_or_load_stats_judged
    timing_log = os.environ.get("MUTATION_TIMING_LOG")
    if timing_log:
        run_tests = PytestRunner.run_tests

        def timed_run_tests(self, *, mutant_name, tests):
            started = time.monotonic()
            try:
                return run_tests(self, mutant_name=mutant_name, tests=tests)
            finally:
                with open(timing_log, "a") as log:
                    log.write(f"{time.monotonic() - started:.3f} {len(list(tests))} {mutant_name}\n")

        PytestRunner.run_tests = timed_run_tests
    PytestRunner.execute_pytest = execute_pytest_apart
    mutmut_main.cli(args)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--mutmut"]:
        run_mutmut(sys.argv[2:])
    elif sys.argv[1:2] == ["--template"]:
        make_template(sys.argv[2])
    else:
        sys.exit(main(sys.argv[1:]))
