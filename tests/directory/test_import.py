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
