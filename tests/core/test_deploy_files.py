"""The shipped systemd timers and crontab schedule commands that exist and run under the job lock."""

import re
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from sanspeur.core.jobs import JobCommand

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# Django's own housekeeping: idempotent and harmless when two runs overlap.
NOT_OURS = {"clearsessions"}


def scheduled_by_systemd() -> set[str]:
    """The command each timer starts: through sanspeur-job@COMMAND, or a unit of its own."""
    jobs = set()
    for timer in (DEPLOY / "systemd").glob("*.timer"):
        unit = re.search(r"^Unit=(\S+)$", timer.read_text(), re.M)
        assert unit, f"{timer.name} names no unit"
        instance = re.fullmatch(r"sanspeur-job@([a-z_]+)\.service", unit.group(1))
        if instance:
            jobs.add(instance.group(1))
            continue
        service = (DEPLOY / "systemd" / unit.group(1)).read_text()
        jobs.add(re.search(r"^ExecStart=\S+/bin/sanspeur ([a-z_]+)", service, re.M).group(1))
    return jobs


def scheduled_by_cron() -> set[str]:
    return set(re.findall(r"/bin/sanspeur ([a-z_]+)", (DEPLOY / "cron" / "sanspeur").read_text()))


def test_systemd_and_cron_schedule_the_same_jobs():
    assert scheduled_by_systemd() == scheduled_by_cron()
    assert {"cards_publish", "cards_retention", "cards_send_reminders", "clinics_purge", "vault_compact"} <= (
        scheduled_by_systemd()
    )


@pytest.mark.parametrize("job", sorted(scheduled_by_systemd() - NOT_OURS))
def test_every_scheduled_job_of_ours_takes_the_job_lock(job):
    app = get_commands()[job]
    assert isinstance(load_command_class(app, job), JobCommand), f"{job} must subclass sanspeur.core.jobs.JobCommand"


def test_every_scheduled_command_exists():
    commands = get_commands()
    missing = sorted((scheduled_by_systemd() | scheduled_by_cron()) - set(commands))
    assert not missing


def test_units_read_the_environment_file_and_run_as_the_app_user():
    for unit in (DEPLOY / "systemd").glob("*.service"):
        text = unit.read_text()
        assert "EnvironmentFile=/etc/sanspeur/env" in text and "User=sanspeur" in text, unit.name


def test_django_axes_is_gone_from_settings_dependencies_and_schedules():
    """Lockout is accounts/lockout.py (device cookies); django-axes stayed installed, switched
    off, only for its nightly clean-up job. Nothing of it is left (issue 14)."""
    from django.conf import settings

    root = DEPLOY.parent
    assert not any(app == "axes" or app.startswith("axes.") for app in settings.INSTALLED_APPS)
    assert not [name for name in dir(settings) if name.startswith("AXES_")]
    assert not any("axes" in backend for backend in settings.AUTHENTICATION_BACKENDS)
    assert not any("axes" in middleware for middleware in settings.MIDDLEWARE)
    assert not any(check.startswith("axes.") for check in settings.SILENCED_SYSTEM_CHECKS)
    for path in [root / "pyproject.toml", *sorted((root / "requirements").glob("*.txt"))]:
        assert "django-axes" not in path.read_text(), path
    for path in sorted(DEPLOY.rglob("*")):
        assert not path.is_file() or "axes" not in path.read_text(), path
