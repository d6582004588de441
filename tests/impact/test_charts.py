"""Chart geometry: bars proportional to the values, whiskers for the interval, mirrored right to
left, the withheld mark by the axis, room for the longest label."""

from sanspeur.impact import charts


def _chart(rtl: bool):
    rows = [("Verdun", 100), ("Anjou", None), ("Rivière-des-Prairies–Pointe-aux-Trembles", 50)]
    return charts.bar_chart(rows, title="t", desc="d", interval=10, suppressed_mark="withheld", rtl=rtl)


def test_bars_are_proportional_and_carry_the_interval():
    chart = _chart(rtl=False)
    verdun, anjou, rivière = chart.bars
    assert verdun.width == 2 * rivière.width or abs(verdun.width - 2 * rivière.width) <= 1
    assert verdun.whisker_x1 < verdun.x + verdun.width < verdun.whisker_x2
    assert anjou.width == 0 and anjou.text == "withheld" and anjou.value_x == chart.axis_x + charts.PAD
    assert chart.axis_x >= charts.CHAR * len(rivière.label)  # the longest label fits left of the axis
    assert all(0 <= b.x and b.whisker_x2 + 40 <= chart.width for b in chart.bars)


def test_right_to_left_mirrors_the_chart():
    ltr, rtl = _chart(rtl=False), _chart(rtl=True)
    assert rtl.axis_x == rtl.width - ltr.axis_x
    for left, right in zip(ltr.bars, rtl.bars, strict=True):
        assert right.width == left.width
        assert right.x + right.width == rtl.axis_x  # bars end at the axis, growing to the left
        assert right.whisker_x1 == rtl.width - left.whisker_x2
    assert (rtl.label_anchor, rtl.value_anchor) == ("start", "end")
