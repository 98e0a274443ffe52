"""The overview's bar charts: a round scale above the highest value and the target, no bar for
a week without answers, and bars in proportion."""

from __future__ import annotations

from adapters.dashboard.charts import HEIGHT, bar_chart


def test_bars_are_in_proportion_on_a_round_scale() -> None:
    chart = bar_chart([3, 0, 6, None], target=1.0)
    assert [tick.label for tick in chart.ticks] == ["0", "5", "10"]
    # Week four had no answer: no bar at all (not a bar of zero).
    assert len(chart.bars) == 3
    three, zero, six = chart.bars
    assert zero.height == 0
    assert abs(six.height - 2 * three.height) < 0.2
    assert chart.target_y is not None and three.y < chart.target_y < chart.baseline
    assert all(bar.y + bar.height == HEIGHT - 24 for bar in chart.bars)


def test_a_fixed_scale_caps_nothing_it_should_show() -> None:
    chart = bar_chart([4.5, None, 1.0], maximum=5)
    assert [tick.label for tick in chart.ticks] == ["0", "2.5", "5"]
    assert chart.target_y is None
    empty = bar_chart([])
    assert empty.bars == () and [t.label for t in empty.ticks] == ["0", "0.5", "1"]
