"""Every app speaks of the same 19 boroughs, spelled the same way."""

import json
from pathlib import Path

from sanspeur.core.boroughs import BOROUGHS

SRC = Path(__file__).resolve().parents[2] / "src" / "sanspeur"


def test_nineteen_distinct_boroughs():
    assert len(BOROUGHS) == 19 == len(set(BOROUGHS))


def test_directory_reference_data_names_the_same_boroughs():
    data = json.loads((SRC / "directory" / "data" / "boroughs.json").read_text(encoding="utf-8"))
    names = {name for _slug, name, _lat, _lng in data["boroughs"]}
    assert names == set(BOROUGHS)
