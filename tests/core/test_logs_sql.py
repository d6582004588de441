"""No personal value in SQL text, and PostgreSQL's logs configured to keep none (issue 14).

A PostgreSQL error used to log the whole statement with the directory's search words and the
point chosen on the map: Django's psycopg backend binds parameters on the client by default, so
the server received (and logged) the values inside the SQL text. The settings turn on server-side
binding: the server receives ``$1``, ``$2`` and the values apart, and the documented configuration
(``deploy/postgresql/sanspeur.conf``) logs neither statements nor parameters.
"""

import re
from pathlib import Path

import pytest
from django.db import connection

WORDS = "zorglubien quetzalmot"
POINT = "45.512,-73.561"
CONF = Path(__file__).resolve().parents[2] / "deploy" / "postgresql" / "sanspeur.conf"


def _statements(run) -> list[tuple[str, object]]:
    """Every (SQL text, parameters) the application hands to the database driver during ``run``."""
    seen = []

    def record(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        run()
    return seen


@pytest.mark.django_db
def test_directory_search_words_and_map_point_are_parameters_never_sql_text(client):
    def search():
        assert client.get("/fr/directory/", {"q": WORDS, "near": POINT, "within": "5"}).status_code == 200
        assert client.get("/fr/directory/map.json", {"q": WORDS, "near": POINT}).status_code == 200

    statements = _statements(search)
    text = "\n".join(sql for sql, _params in statements)
    for value in ("zorglubien", "quetzalmot", "45.512", "73.561"):
        assert value not in text, value
    values = repr([params for _sql, params in statements])
    assert "zorglubien" in values and "45.512" in values  # they did reach the database, bound


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_postgresql_receives_the_values_apart_from_the_statement():
    """``current_query()`` is the statement as the server received it — what it would log."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_query() WHERE %s <> %s", [WORDS, POINT])
        (received,) = cursor.fetchone()
    assert WORDS not in received and POINT not in received
    assert "$1" in received and "$2" in received


def _conf() -> dict[str, str]:
    pairs = re.findall(r"^\s*([a-z_.]+)\s*=\s*'?([^'#\n]*?)'?\s*(?:#.*)?$", CONF.read_text(), re.M)
    return dict(pairs)


def test_the_documented_postgresql_configuration_logs_no_statement_and_no_parameter():
    conf = _conf()
    assert conf["log_statement"] == "none"
    assert conf["log_min_error_statement"] == "panic"
    assert conf["log_parameter_max_length"] == "0"
    assert conf["log_parameter_max_length_on_error"] == "0"
    assert conf["log_min_duration_statement"] == "-1"
    assert conf["log_error_verbosity"] == "terse"
    assert "auto_explain" not in conf.get("shared_preload_libraries", "")
    deploy_doc = (CONF.parents[2] / "docs" / "deploy.md").read_text()
    for name in ("log_statement", "log_min_error_statement", "log_parameter_max_length_on_error"):
        assert name in deploy_doc


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_the_configuration_names_real_postgresql_settings_with_valid_values():
    conf = {name: value for name, value in _conf().items() if "." not in name}
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, vartype, enumvals FROM pg_settings WHERE name = ANY(%s)", [list(conf)])
        known = {name: (vartype, enumvals) for name, vartype, enumvals in cursor.fetchall()}
    assert set(conf) == set(known), set(conf) - set(known)
    for name, value in conf.items():
        vartype, enumvals = known[name]
        if vartype == "enum":
            assert value in enumvals, (name, value)
        elif vartype == "integer":
            int(value)
        elif vartype == "bool":
            assert value in ("on", "off"), (name, value)
