"""core.params: what a request can carry becomes a value the database accepts, or a default."""

import uuid

import pytest

from sanspeur.core.params import MAX_PAGE, bounded_int, clean_text, uuid_or_none


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("  café  ", "café"),
        ("a\x00b", "ab"),
        ("\x1b[31mred\x07", "[31mred"),
        ("\u202eabc\u200f", "\u202eabc\u200f"),  # format characters are text, not control characters
        ("x" * 500, "x" * 200),
        (42, "42"),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


def test_clean_text_keeps_line_breaks_and_bounds_the_work():
    assert clean_text("one\ntwo\tthree") == "one\ntwo\tthree"
    assert clean_text("\x00" * 10_000 + "tail", max_length=10) == ""  # only 2 × max_length is looked at


@pytest.mark.parametrize("raw", [None, "", "abc", "99999999999999999999", "\x00", "1" * 100])
def test_uuid_or_none_refuses_what_is_not_a_uuid(raw):
    assert uuid_or_none(raw) is None


def test_uuid_or_none_accepts_uuids():
    value = uuid.uuid4()
    assert uuid_or_none(str(value)) == value == uuid_or_none(value) == uuid_or_none(f" {str(value).upper()} ")


@pytest.mark.parametrize(
    ("raw", "expected"), [("7", 7), ("-3", 1), ("99999999999999999999", MAX_PAGE), ("x", 1), (None, 1)]
)
def test_bounded_int(raw, expected):
    assert bounded_int(raw, default=1) == expected
