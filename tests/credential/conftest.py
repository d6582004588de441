"""Fixtures for the credential library tests (plain pytest, no Django)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from credential_helpers import NOW, World, make_world


@pytest.fixture(scope="session")
def world() -> World:
    return make_world()


@pytest.fixture(scope="session")
def valid_code(world: World) -> str:
    return world.issue()


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def make_world_factory() -> Callable[..., World]:
    return make_world


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    # These tests run without Django (`-p no:django`). The project's pytest config names
    # DJANGO_SETTINGS_MODULE, which pytest then reports as unknown, and the project turns
    # warnings into errors; declaring the option here keeps that run clean.
    if not pluginmanager.has_plugin("django"):
        parser.addini("DJANGO_SETTINGS_MODULE", "Django settings (declared by pytest-django when loaded)")
