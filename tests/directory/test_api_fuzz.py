"""Schemathesis against the HSDS API's own OpenAPI document, in process (Django's WSGI app).

The document is the one the API serves at /api/hsds/openapi.json. Its response schemas point at
the official HSDS 3.0 schemas on GitHub; the test resolves them to the vendored copies in
``hsds-3.0/schema`` (no network), so every response is checked against the real specification.
Deterministic (derandomized Hypothesis, no example database) and bounded: ``MAX_EXAMPLES`` per
operation and generation mode, valid and invalid parameters (raise it to explore: 400 ran clean).
"""

from __future__ import annotations

import copy
import json
import traceback
from contextlib import contextmanager
from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis import checks as st_checks
from schemathesis.specs.openapi import checks as openapi_checks

from tests.directory.conftest import demo_data  # noqa: F401 - fixture

SCHEMA_DIR = Path(__file__).parent / "hsds-3.0" / "schema"  # vendored, see its README.md
UPSTREAM = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
MAX_EXAMPLES = 60


def _component(name: str) -> str:
    return "hsds_" + name.removesuffix(".json").replace("/", "_")


def bundle(document: dict) -> dict:
    """The served document with each upstream ``$ref`` replaced by a local component.

    ``compiled/service.json`` and ``compiled/organization.json`` are the same schemas as
    ``service.json`` and ``organization.json`` with their ``$ref``s inlined: the per-object files
    (with their references between them) validate exactly the same documents.
    """
    document = copy.deepcopy(document)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})

    def load(name: str) -> str:
        key = _component(name)
        if key not in schemas:
            path = SCHEMA_DIR / name
            if not path.exists():
                path = SCHEMA_DIR / name.removeprefix("compiled/")
            schemas[key] = {}
            schemas[key] = rewrite(json.loads(path.read_text()), local_files=True)
        return "#/components/schemas/" + key

    def rewrite(node, *, local_files: bool):
        if isinstance(node, list):
            return [rewrite(item, local_files=local_files) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(UPSTREAM):
                out[key] = load(value.removeprefix(UPSTREAM))
            elif key == "$ref" and isinstance(value, str) and local_files and value.endswith(".json"):
                out[key] = load(value)
            else:
                out[key] = rewrite(value, local_files=local_files)
        return out

    document["paths"] = rewrite(document["paths"], local_files=False)
    return document


CHECKS = [
    st_checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


def _fuzz(operation, mode: GenerationMode) -> str | None:
    """Run one operation in one generation mode; the shrunk failure as text, or None."""

    @given(case=operation.as_strategy(mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    def run(case):
        case.call_and_validate(checks=CHECKS)

    try:
        run()
    except Unsatisfiable:  # no invalid value exists for this operation's parameters
        return None
    except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - reported below, per operation
        return f"{operation.label} [{mode.value}]: {failure}"
    return None


@contextmanager
def in_process_app():
    """The production WSGI application, minus the end-of-request database close (the test's
    transaction holds the demo data), as Django's own test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    signals.got_request_exception.connect(_record_traceback)
    TRACEBACKS.clear()
    try:
        yield get_wsgi_application()
    finally:
        signals.got_request_exception.disconnect(_record_traceback)
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


TRACEBACKS: dict[str, str] = {}


def _record_traceback(sender, request=None, **kwargs):
    """The server errors' tracebacks, one per place in our code, for the failure report."""
    text = traceback.format_exc()
    TRACEBACKS.setdefault(text.strip().splitlines()[-1][:200], text)


@pytest.mark.usefixtures("demo_data")
def test_hsds_api_follows_its_openapi_document():
    served = Client().get("/api/hsds/openapi.json")
    assert served.status_code == 200
    with in_process_app() as app:
        api = schemathesis.openapi.from_dict(bundle(served.json()))
        api.app = app
        operations = [result.ok() for result in api.get_all_operations()]
        assert len(operations) == len(served.json()["paths"])
        failures = [
            failure
            for operation in operations
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            if (failure := _fuzz(operation, mode))
        ]
    assert not failures, "\n\n".join(failures + list(TRACEBACKS.values()))
