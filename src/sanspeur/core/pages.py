"""Pages of a long list without counting it: "newer" and "older" links, no total.

Django's Paginator counts the rows to give the number of pages; on the audit trail (7 million
entries a year) the count was 90 % of a filtered page's time (bench/scale.py, docs/benchmarks.md).
A page here reads one row more than it shows, to know whether there is an older page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .params import bounded_int

MAX_PAGE = 1000  # deeper than this, narrow the search (dates, action): an offset is read, not jumped


@dataclass
class WindowPage:
    number: int
    object_list: list = field(default_factory=list)
    has_next: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def window_page(queryset, raw_number, per_page: int) -> WindowPage:
    """The page ``raw_number`` (any text: a bad or out-of-range value gives the first or last
    allowed page) of an ordered ``queryset``."""
    number = bounded_int(raw_number, default=1, minimum=1, maximum=MAX_PAGE)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return WindowPage(number=number, object_list=rows[:per_page], has_next=len(rows) > per_page and number < MAX_PAGE)
