import io

import pytest

from sanspeur.directory import demo


@pytest.fixture
def demo_data(db):
    demo.load(stdout=io.StringIO())
