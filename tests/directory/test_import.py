import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sanspeur.directory.models import Location, Service
from sanspeur.directory.reference import ensure_reference_data

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).parent / "hsds-3.0" / "examples"  # vendored, see its README.md


@pytest.fixture
def reference(db):
    ensure_reference_data()


@pytest.mark.parametrize("name", ["service_full.json", "service_list.json"])
def test_official_examples_import_cleanly(reference, name):
    out = io.StringIO()
    call_command("directory_import", str(EXAMPLES / name), stdout=out)
    assert "imported" in out.getvalue()
    assert Service.objects.count() >= 1
    data = json.loads((EXAMPLES / name).read_text())
    first = data["contents"][0] if "contents" in data else data
    service = Service.objects.get(id=first["id"])
    assert service.name["en"] == first["name"]
    # importing twice changes nothing
    call_command("directory_import", str(EXAMPLES / name), stdout=io.StringIO())
    assert Service.objects.filter(id=first["id"]).count() == 1


def test_invalid_package_imports_nothing(reference, tmp_path):
    good = json.loads((EXAMPLES / "service_full.json").read_text())
    bad = dict(good, id="00000000-0000-4000-8000-000000000001", status="maybe")
    path = tmp_path / "pkg.json"
    path.write_text(json.dumps([good, bad]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("directory_import", str(path), stderr=err)
    assert "record 2: status:" in err.getvalue()
    assert Service.objects.count() == 0 and Location.objects.count() == 0


# --- Imports go through the editors' versioned path -------------------------------------------------
def _package(tmp_path, filename, **changes):
    data = json.loads((EXAMPLES / "service_full.json").read_text())
    data.update(changes)
    path = tmp_path / filename
    path.write_text(json.dumps(data))
    return data, path


def _import(path, lang):
    out = io.StringIO()
    call_command("directory_import", str(path), lang=lang, stdout=out)
    return out.getvalue()


def test_a_second_language_import_merges_and_keeps_the_first_language(reference, tmp_path):
    french, fr_path = _package(
        tmp_path, "services-fr.json", name="Counselling communautaire", description="En français."
    )
    _import(fr_path, "fr")
    english, en_path = _package(tmp_path, "services-en.json")
    english["organization"]["description"] = "An organisation, in English."
    en_path.write_text(json.dumps(english))
    _import(en_path, "en")

    service = Service.objects.get(id=french["id"])
    assert service.name == {"fr": "Counselling communautaire", "en": english["name"]}
    assert service.description == {"fr": "En français.", "en": english["description"]}
    assert service.organization.name == {"fr": french["organization"]["name"], "en": english["organization"]["name"]}
    assert service.organization.description["en"] == "An organisation, in English."
    location = Location.objects.get(id=french["service_at_locations"][0]["location"]["id"])
    assert set(location.name) == {"fr", "en"}
    # The French page still shows the French name; the search finds both.
    assert "counselling communautaire" in service.search_text and "community counselling" in service.search_text


def test_a_reimport_never_resets_what_an_editor_confirmed(reference, tmp_path, make_staff, city_organisation):
    from sanspeur.directory import services

    data, path = _package(tmp_path, "services.json")
    _import(path, "en")
    service = Service.objects.get(id=data["id"])
    assert service.no_status_question is False  # waits for an editor
    editor = make_staff("editor.import", ["directory_editor"], city_organisation)
    proposal = services.proposal_create(acting_user=editor, service=service, changes={"no_status_question": True})
    services.proposal_publish(acting_user=editor, proposal=proposal)
    location = Location.objects.get(id=data["service_at_locations"][0]["location"]["id"])
    location.is_confidential = True
    location.save()

    _import(path, "fr")
    _import(path, "en")

    service.refresh_from_db()
    location.refresh_from_db()
    assert service.no_status_question is True
    assert location.is_confidential is True


def test_each_import_that_changes_a_service_leaves_a_version_naming_it(
    reference, tmp_path, make_staff, city_organisation, mfa_client
):
    from sanspeur.core.models import AuditEntry

    data, path = _package(tmp_path, "partner-2026.json")
    assert "1 new" in _import(path, "en")
    service = Service.objects.get(id=data["id"])
    first = service.versions.get()
    assert first.number == 1 and first.source == "HSDS import partner-2026.json (en)"
    assert {"name", "description", "url", "phones", "schedules"} <= set(first.changed_fields)

    assert "0 new, 0 changed" in _import(path, "en")  # the same package again: no new version
    assert service.versions.count() == 1

    renamed, renamed_path = _package(tmp_path, "partner-2026-b.json", name="Community Counselling (renamed)")
    _import(renamed_path, "en")
    latest = service.versions.order_by("-number").first()
    assert latest.number == 2 and latest.changed_fields == ["name"]
    assert latest.previous == {"name": {"en": data["name"]}}
    assert latest.source == "HSDS import partner-2026-b.json (en)"

    entries = AuditEntry.objects.filter(action="directory.import").order_by("at")
    assert entries.count() == 3
    assert entries.last().detail["source"] == "HSDS import partner-2026-b.json (en)"
    assert entries.last().detail["versions"] == 1 and entries.last().detail["lang"] == "en"

    editor = make_staff("editor.versions", ["directory_editor"], city_organisation)
    page = mfa_client(editor).get("/fr/directory/staff/review/").content.decode()
    assert "HSDS import partner-2026-b.json (en)" in page


def test_a_package_without_costs_or_languages_leaves_them_as_they_are(reference, tmp_path):
    data, path = _package(tmp_path, "full.json", cost_options=[{"id": "c1", "amount": 0, "currency": "CAD"}])
    _import(path, "en")
    service = Service.objects.get(id=data["id"])
    assert service.is_free is True and service.languages
    partial = {k: v for k, v in data.items() if k not in ("cost_options", "languages", "phones", "schedules")}
    (tmp_path / "partial.json").write_text(json.dumps(partial))
    _import(tmp_path / "partial.json", "fr")
    service.refresh_from_db()
    assert service.is_free is True and service.languages and service.phones.exists()
