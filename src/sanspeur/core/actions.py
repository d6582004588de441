"""The action kernel: the one way a service writes.

A service function decorated with :func:`action`

- takes a typed, keyword-only ``acting_user`` (the staff member, or ``None`` for a scheduled job
  or the command line) — checked when the module is imported, so a service without one cannot
  exist;
- runs inside ``transaction.atomic(durable=True)`` when it is the outermost action, so that a
  change is either fully committed (with its audit entry) or not at all, and nobody can wrap an
  action in a longer transaction by mistake; an action called by another action joins its
  transaction;
- asks the authorization policy first (``policy=``: a function of the acting user and the
  service's keyword arguments) and raises ``PermissionDenied`` when it says no;
- must write at least one audit entry, and every audit entry's action must be one of the
  registered names (:data:`AUDIT_ACTIONS`, declared per app in ``<app>/audit.py``), so that the
  audit trail has a fixed vocabulary an auditor can filter on;
- sends side effects (e-mail, status-list rebuilds) with :func:`on_commit`, never before the
  change is durable.

Like Zulip's ``zerver/actions`` (see ../docs/architecture.md, "How a write flows").
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from functools import wraps
from importlib import import_module
from importlib.util import find_spec
from typing import Any, TypeVar

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import transaction

F = TypeVar("F", bound=Callable[..., Any])


# --- The registered audit actions --------------------------------------------------------------
def _collect() -> dict[str, str]:
    """Every app's ``audit.ACTIONS`` (name -> what it records), merged once."""
    found: dict[str, str] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("sanspeur."):
            continue
        module_name = f"{config.name}.audit"
        if find_spec(module_name) is None:
            continue
        for name, description in import_module(module_name).ACTIONS.items():
            if name in found:
                raise ValueError(f"audit action {name!r} is declared twice")
            found[name] = str(description)
    return found


class _Registry:
    def __init__(self) -> None:
        self._names: dict[str, str] | None = None

    @property
    def names(self) -> dict[str, str]:
        if self._names is None:
            self._names = _collect()
        return self._names

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __iter__(self):
        return iter(sorted(self.names))


AUDIT_ACTIONS = _Registry()


class UnregisteredAuditAction(ValueError):
    """An audit entry named an action that no app declares in its ``audit.py``."""


def require_registered(name: str) -> None:
    if name not in AUDIT_ACTIONS:
        raise UnregisteredAuditAction(f"audit action {name!r} is not declared in any app's audit.py")


# --- The actions being run in this thread ----------------------------------------------------
class _Running(threading.local):
    def __init__(self) -> None:
        self.stack: list[dict[str, Any]] = []


_running = _Running()


def note_audit_entry(name: str) -> None:
    """Called by ``audit_entry_create``: the running action has written its audit entry."""
    if _running.stack:
        _running.stack[-1]["audited"].append(name)


def no_change() -> None:
    """The running action found nothing to do (already revoked, not due yet) and wrote nothing:
    it may end without an audit entry. Call it on those paths, right before returning."""
    if _running.stack:
        _running.stack[-1]["no_change"] = True


class ActionError(RuntimeError):
    """A service broke the kernel's contract (no audit entry); a programming error, never input."""


def action(name: str, *, policy: Callable[..., bool] | None = None, audited: bool = True) -> Callable[[F], F]:
    """Declare a service function as the action ``name`` (a registered audit action).

    ``audited=False`` is for the few actions of an anonymous person that must leave no trace of
    when they happened (a protection report: an audit timestamp would date it). Such an action
    must write no audit entry at all; the kernel refuses one.
    """

    def decorator(func: F) -> F:
        parameter = inspect.signature(func).parameters.get("acting_user")
        if parameter is None or parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"{func.__qualname__}: an action takes a keyword-only acting_user")
        if parameter.annotation is inspect.Parameter.empty:
            raise TypeError(f"{func.__qualname__}: acting_user must be typed (User | None)")

        @wraps(func)
        def run(*args, acting_user, **kwargs):
            require_registered(name)
            if policy is not None and not policy(acting_user, **kwargs):
                raise PermissionDenied(name)
            outermost = not _running.stack
            frame = {"name": name, "audited": [], "no_change": not audited, "unaudited": not audited}
            with transaction.atomic(durable=outermost):
                _running.stack.append(frame)
                try:
                    result = func(*args, acting_user=acting_user, **kwargs)
                finally:
                    _running.stack.pop()
                if not frame["audited"] and not frame["no_change"]:
                    raise ActionError(f"action {name} wrote no audit entry")
                if frame["audited"] and frame["unaudited"]:
                    raise ActionError(f"action {name} must leave no audit entry (anonymous by design)")
                if _running.stack:
                    _running.stack[-1]["audited"].extend(frame["audited"])
            return result

        run.action_name = name  # type: ignore[attr-defined]
        run.audited = audited  # type: ignore[attr-defined]
        return run  # type: ignore[return-value]

    return decorator


def on_commit(callback: Callable[[], Any], *, robust: bool = True) -> None:
    """Run ``callback`` once the action's transaction has committed (never if it rolls back).

    ``robust``: a failing side effect (a mail server down) is logged and does not turn a committed
    change into an error page.
    """
    transaction.on_commit(callback, robust=robust)
