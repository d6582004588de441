"""The page gallery command: a small run (two pages, one language, phone size) gives a screenshot
per page, a contact sheet and an index; the page list comes from the declared pages."""

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connections
from PIL import Image

from sanspeur.core.management.commands.gallery import gallery_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _in_thread(*args, **kwargs) -> None:
    """Run the command, then close the database connection this thread opened: left to the garbage
    collector, PostgreSQL's connection object warns later, in whichever test happens to be running."""
    try:
        call_command(*args, **kwargs)
    finally:
        connections.close_all()


def test_gallery_of_two_pages(live_server, tmp_path):
    # In a thread of its own: the command drives its own Playwright, which refuses to start where
    # another test's browser (a session fixture) already runs an event loop. result() re-raises.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(
            _in_thread,
            "gallery",
            out=str(tmp_path),
            lang=["ar"],
            size=["phone"],
            pages=["core:home", "core:get_card"],
            base_url=live_server.url,
            stdout=io.StringIO(),
        ).result(timeout=300)
    shots = sorted((tmp_path / "phone" / "ar").glob("*.png"))
    assert [p.name for p in shots] == ["core--get_card.png", "core--home.png"]
    with Image.open(shots[1]) as image:
        assert image.width == 390 and image.height >= 844
    with Image.open(tmp_path / "sheet-phone-ar.png") as sheet:
        assert sheet.width > 2 * 260
    index = (tmp_path / "index.html").read_text()
    assert "core:home" in index and "core:get_card" in index
    assert (tmp_path / "problems.txt").read_text() == ""


def test_every_public_page_is_in_the_gallery():
    pages, _left_out = gallery_pages()
    names = {name for name, _path in pages}
    assert {"core:home", "core:get_card", "core:promise", "directory:search", "clinics:public_list"} <= names
    assert all(path.startswith("/") for _name, path in pages)
    assert "directory:staff_list" not in names  # staff pages only when asked
