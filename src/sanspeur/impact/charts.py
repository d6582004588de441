"""Server-rendered bar charts: the geometry is computed here and drawn by a hand-written SVG
template (templates/impact/bar_chart.svg). No JavaScript, no library, no third-party asset; the
same numbers are in the table beside each chart, and the SVG carries a <title> and a <desc>.

Right-to-left pages get a mirrored chart (bars grow from the right, labels on the right)."""

from __future__ import annotations

from dataclasses import dataclass

PLOT = 300
ROW = 26
CHAR = 7  # an average character at 13 px, to size the room for the labels
LABEL_MIN, LABEL_MAX = 60, 460
VALUE = 90  # room for "1234" or the withheld mark
PAD = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None
    text: str  # the value as shown ("1234", or the suppression mark)
    y: int
    x: int
    width: int
    whisker_x1: int
    whisker_x2: int
    label_x: int
    value_x: int


@dataclass(frozen=True)
class Chart:
    title: str
    desc: str
    width: int
    height: int
    bars: list[Bar]
    rtl: bool
    label_anchor: str
    value_anchor: str
    axis_x: int
    has_whiskers: bool
    label_language: str = ""


def bar_chart(
    rows: list[tuple[str, int | None]],
    *,
    title: str,
    desc: str,
    interval: int,
    suppressed_mark: str,
    rtl: bool,
    maximum: int | None = None,
    label_language: str = "",
) -> Chart:
    """``rows``: (label, value or None when suppressed). ``interval``: the ± drawn as a whisker."""
    top = max([maximum or 0] + [(value or 0) + interval for _label, value in rows]) or 1
    label_room = max(LABEL_MIN, min(LABEL_MAX, CHAR * max((len(label) for label, _v in rows), default=0)))
    width = label_room + PLOT + VALUE + 3 * PAD
    plot = PLOT
    bars = []
    for index, (label, value) in enumerate(rows):
        y = PAD + index * ROW
        length = round(plot * (value or 0) / top)
        low = round(plot * max((value or 0) - interval, 0) / top)
        high = round(plot * min((value or 0) + interval, top) / top)
        reach = max(length, high) if value is not None else 0  # the withheld mark sits by the axis
        if not rtl:
            start = PAD + label_room + PAD
            x, w1, w2 = start, start + low, start + high
            label_x, value_x = start - PAD, start + reach + PAD
        else:
            start = width - 2 * PAD - label_room
            x, w1, w2 = start - length, start - high, start - low
            label_x, value_x = width - PAD, start - reach - PAD
        bars.append(
            Bar(
                label=label,
                value=value,
                text=str(value) if value is not None else suppressed_mark,
                y=y,
                x=x,
                width=length,
                whisker_x1=w1,
                whisker_x2=w2,
                label_x=label_x,
                value_x=value_x,
            )
        )
    return Chart(
        title=title,
        desc=desc,
        width=width,
        height=2 * PAD + ROW * len(rows),
        bars=bars,
        rtl=rtl,
        label_anchor="start" if rtl else "end",
        value_anchor="end" if rtl else "start",
        axis_x=(width - 2 * PAD - label_room) if rtl else (2 * PAD + label_room),
        has_whiskers=interval > 0,
        label_language=label_language,
    )
