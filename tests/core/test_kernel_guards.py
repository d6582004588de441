"""The action kernel's guards, decision by decision: what the policy is asked, which transaction
an action runs in, which audit entry counts, what a state machine allows, how long a row lock
waits and which lock a scheduled job takes.

The actions here are declared inside each test, not at import: a decorator runs once, so an
action declared at import would keep the kernel code of that moment. Written against the mutants
scripts/mutation found alive (docs/benchmarks.md, "Mutation testing of the guards")."""

import io
import threading
import time
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import NotSupportedError, connection, connections, transaction

from sanspeur.accounts.models import Organisation
from sanspeur.core.actions import AUDIT_ACTIONS, ActionError, action, no_change, on_commit
from sanspeur.core.jobs import JobBusy, JobCommand, _advisory_key, job_lock
from sanspeur.core.locks import LockTimeout, lock_rows
from sanspeur.core.models import AuditEntry
from sanspeur.core.services import audit_entry_create
from sanspeur.core.transitions import InvalidTransition, StateMachine

NAME = "organisation.create"  # a registered audit action (accounts/audit.py)


def create(name, *, acting_user):
    organisation = Organisation.objects.create(name=name, kind="partner")
    audit_entry_create(acting_user=acting_user, action=NAME, target=organisation)
    return organisation


# --- actions -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_policy_gets_the_acting_user_and_the_arguments_and_its_no_is_final():
    staff, asked = object(), []

    @action(NAME, policy=lambda acting_user, **kwargs: asked.append((acting_user, kwargs)) or False)
    def refused(*, acting_user: object | None, name: str):
        create(name, acting_user=None)

    with pytest.raises(PermissionDenied) as refusal:
        refused(acting_user=staff, name="Refusée")
    assert asked == [(staff, {"name": "Refusée"})]
    assert refusal.value.args == (NAME,)  # the refused action, for the log
    assert not Organisation.objects.filter(name="Refusée").exists()


@pytest.mark.django_db
def test_the_service_gets_its_acting_user_and_every_argument():
    received = []

    @action(NAME, policy=lambda acting_user, **kwargs: True)
    def allowed(prefix, *, acting_user: object | None, name: str):
        received.append((prefix, acting_user, name))
        return create(prefix + name, acting_user=None)

    staff = object()
    assert allowed("Centre ", acting_user=staff, name="Nord").name == "Centre Nord"
    assert received == [("Centre ", staff, "Nord")]
    assert (allowed.action_name, allowed.audited) == (NAME, True)


@pytest.mark.django_db
def test_an_unaudited_action_writes_no_entry_and_is_refused_if_it_does():
    """The anonymous person's own actions (protection reports) must leave no dated trace."""

    @action(NAME, audited=False)
    def anonymous(*, acting_user: object | None, name: str, write_entry: bool = False):
        Organisation.objects.create(name=name, kind="partner")
        if write_entry:
            audit_entry_create(acting_user=None, action=NAME)

    assert anonymous.audited is False
    anonymous(acting_user=None, name="Anonyme")
    assert Organisation.objects.filter(name="Anonyme").exists()
    with pytest.raises(ActionError, match="no audit entry"):
        anonymous(acting_user=None, name="Datée", write_entry=True)
    assert not Organisation.objects.filter(name="Datée").exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_an_action_that_writes_no_audit_entry_is_refused_and_rolled_back():
    @action(NAME)
    def silent(*, acting_user: object | None, nothing_to_do: bool = False):
        Organisation.objects.create(name="Sans trace", kind="partner")
        if nothing_to_do:
            no_change()

    with pytest.raises(ActionError):
        silent(acting_user=None)
    assert not Organisation.objects.filter(name="Sans trace").exists()
    silent(acting_user=None, nothing_to_do=True)  # a declared no-op may end without an entry
    assert Organisation.objects.filter(name="Sans trace").exists()


@pytest.mark.django_db
def test_an_inner_actions_entry_counts_for_the_outer_action_that_joins_it():
    @action(NAME)
    def inner(*, acting_user: object | None):
        return create("Intérieur", acting_user=acting_user)

    @action(NAME)
    def outer(*, acting_user: object | None):
        return inner(acting_user=acting_user)  # writes no entry itself

    @action(NAME)
    def outermost(*, acting_user: object | None):
        return outer(acting_user=acting_user)

    assert outermost(acting_user=None).name == "Intérieur"
    assert AuditEntry.objects.filter(action=NAME).count() == 1


@pytest.mark.django_db
def test_an_action_cannot_be_folded_into_the_callers_transaction():
    @action(NAME)
    def durable(*, acting_user: object | None):
        return create("Imbriquée", acting_user=acting_user)

    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        durable(acting_user=None)
    assert not Organisation.objects.filter(name="Imbriquée").exists()
    assert durable(acting_user=None).name == "Imbriquée"  # on its own, it commits


@pytest.mark.django_db(transaction=True)
def test_a_side_effect_that_fails_after_the_commit_does_not_undo_or_fail_the_action(caplog):
    """The mail server is down: the change is committed and audited, the failure is logged."""

    def mail_server_down():
        raise ConnectionError("mail server down")

    @action(NAME)
    def with_mail(*, acting_user: object | None):
        on_commit(mail_server_down)
        return create("Avec courriel", acting_user=acting_user)

    assert with_mail(acting_user=None).name == "Avec courriel"
    assert Organisation.objects.filter(name="Avec courriel").exists()
    assert "mail server down" in caplog.text


def test_the_registered_audit_actions_are_every_apps_declared_actions():
    declared = {}
    for config in apps.get_app_configs():
        if config.name.startswith("sanspeur.") and find_spec(f"{config.name}.audit") is not None:
            declared.update(import_module(f"{config.name}.audit").ACTIONS)
    # apps after one without audit.py (verify) count too
    assert {"cards.card.revoke", "directory.import", "proposal.publish", "protection.report.submit"} <= set(declared)
    # The registry of this process, and one built now (the first is built once and kept).
    for registry in (AUDIT_ACTIONS, type(AUDIT_ACTIONS)()):
        assert list(registry) == sorted(declared)
        assert registry.names == {name: str(description) for name, description in declared.items()}


# --- state machines ----------------------------------------------------------------------------
def test_a_state_machine_allows_exactly_its_declared_moves():
    class Door(str):  # states may be given as str subclasses (TextChoices); they compare as text
        pass

    machine = StateMachine(
        "door",
        {"open": ([Door("closed")], Door("open")), "lock": (["closed"], "locked"), "close": (["open"], "closed")},
    )
    assert machine.name == "door"
    assert machine.states == frozenset({"open", "closed", "locked"})
    assert machine.check("closed", "open") == "open" and type(machine.check("closed", "open")) is str
    assert machine.offered("closed") == frozenset({"open", "lock"})
    assert machine.offered("locked") == frozenset()
    assert machine.can("closed", "lock") and not machine.can("open", "lock") and not machine.can("open", "fly")
    with pytest.raises(InvalidTransition) as refusal:
        machine.check("locked", "open")
    assert (refusal.value.machine, refusal.value.current, refusal.value.action) == ("door", "locked", "open")
    assert str(refusal.value) == "door: open is not allowed from locked"


# --- row locks -----------------------------------------------------------------------------------
def hold_row_lock(pk, held, release):
    try:
        with transaction.atomic():
            list(Organisation.objects.select_for_update().filter(pk=pk))
            held.set()
            release.wait(3)  # a kernel that waits forever gets the row after 3 s and fails below
    finally:
        connections.close_all()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_row_locked_elsewhere_is_given_up_after_the_time_limit():
    organisation = Organisation.objects.create(name="Verrouillée", kind="partner")
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_row_lock, args=(organisation.pk, held, release))
    holder.start()
    try:
        assert held.wait(10)
        started = time.monotonic()
        with pytest.raises(LockTimeout, match="accounts.Organisation"), transaction.atomic():
            lock_rows(Organisation.objects.filter(pk=organisation.pk), timeout=0.5)
        waited = time.monotonic() - started
        assert 0.4 <= waited < 2.5, waited
    finally:
        release.set()
        holder.join()


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_a_database_error_that_is_not_a_lock_timeout_is_not_reported_as_one():
    Organisation.objects.create(name="Distincte", kind="partner")
    with pytest.raises(NotSupportedError), transaction.atomic():
        lock_rows(Organisation.objects.distinct())


# --- scheduled jobs ------------------------------------------------------------------------------
def test_a_jobs_advisory_lock_key_never_changes_and_fits_postgresql():
    """Old and new code contend for the same lock during a rolling deploy only if the key of a
    job's name is the same in every version: these values are pinned."""
    assert _advisory_key("cards_send_reminders") == -5030637300087461700
    assert _advisory_key("cards_retention") == 774357302649319721
    assert all(-(2**63) <= _advisory_key(name) < 2**63 for name in ("a", "b", "clinics_purge"))


@pytest.mark.django_db
def test_a_busy_job_lock_names_the_job():
    with job_lock("demo_job"), pytest.raises(JobBusy) as busy:
        with job_lock("demo_job"):
            pass
    assert busy.value.args == ("demo_job",)


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_on_postgresql_the_job_lock_is_held_for_every_other_host():
    """A file lock would stop a second run on this machine only; the advisory lock is seen by any
    connection to the database, whichever host it comes from."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            with job_lock("demo_job"):
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [_advisory_key("demo_job")])
                assert cursor.fetchone() == (False,)
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_advisory_key("demo_job")])
            assert cursor.fetchone() == (True,)
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_advisory_key("demo_job")])
    finally:
        other.close()


@pytest.mark.django_db
def test_on_sqlite_the_job_lock_is_a_file_beside_the_database_named_after_it_and_the_job():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL holds advisory locks, not files")
    database = Path(connection.settings_dict["NAME"])
    lock_file = database.parent / f".{database.name}.job-demo_job.lock"
    with job_lock("demo_job"):
        assert lock_file.exists()


class EchoCommand(JobCommand):
    """A job whose positional arguments must reach handle() untouched."""

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")

    def handle(self, *args, **options):
        return " ".join(args)


@pytest.mark.django_db
def test_a_job_command_passes_its_arguments_through():
    assert call_command(EchoCommand(), "un", "deux", stdout=io.StringIO()) == "un deux"


@pytest.mark.django_db
def test_a_job_that_finds_its_lock_taken_says_so_on_its_own_stderr(capsys):
    command = EchoCommand()
    with job_lock(command.job_name):
        assert call_command(command, "ignored") is None
    assert "did nothing" in capsys.readouterr().err
