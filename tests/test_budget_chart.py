"""The chart of budget against spend by year (budgets.charts): drawn on the server, readable without
JavaScript, with its figures in a table."""

import re
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from budgets.charts import nice_ceiling, short_rupiah, year_chart


def budget(year, current, ordered=0, paid=0, allowed=True):
    return SimpleNamespace(year=year, current_amount=current, original_amount=current, ordered_amount=ordered,
                           paid_amount=paid, spending_allowed=allowed)


@pytest.mark.parametrize(("value", "top"), [(1, 1), (15_000_000_000, 20_000_000_000),
                                            (2_300_000, 2_500_000), (5_000_000_000, 5_000_000_000), (0, 1)])
def test_the_axis_ends_at_a_round_amount_at_or_above_the_largest_bar(value, top):
    assert nice_ceiling(value) == top


def test_axis_labels_are_short_in_each_language():
    with translation.override("en"):
        assert [short_rupiah(x) for x in (15_000_000_000, 5_250_000_000, 500_000_000)] == ["15 bn", "5.3 bn", "500 m"]
    with translation.override("id"):
        assert [short_rupiah(x) for x in (15_000_000_000, 5_250_000_000, 500_000_000)] == ["15 M", "5,3 M", "500 jt"]


def test_bars_are_proportional_to_the_amounts_and_stack_paid_under_ordered():
    with translation.override("en"):
        chart = year_chart([budget(2021, 5_000_000_000, 4_000_000_000, 1_000_000_000),
                            budget(2019, 15_000_000_000, 15_000_000_000, 15_000_000_000),
                            budget(2018, 0, allowed=False)])
    assert [bar.year for bar in chart.bars] == [2018, 2019, 2021]
    y2018, y2019, y2021 = chart.bars
    assert y2018.budget_height == 0 and y2018.paid_height == 0
    # The axis ends at Rp 20 bn: 15 bn is three quarters of the plot, 5 bn a quarter.
    plot = chart.baseline - chart.ticks[-1]["y"]
    assert y2019.budget_height == pytest.approx(plot * 0.75, abs=0.2)
    assert y2021.budget_height == pytest.approx(plot * 0.25, abs=0.2)
    assert y2021.paid_height == pytest.approx(plot * 0.05, abs=0.2)
    assert y2021.committed_height == pytest.approx(plot * 0.15, abs=0.2)
    assert y2021.committed_y + y2021.committed_height == pytest.approx(y2021.paid_y)
    assert [tick["label"] for tick in chart.ticks] == ["0", "5 bn", "10 bn", "15 bn", "20 bn"]


def test_the_chart_is_an_svg_with_a_title_and_the_same_figures_in_a_table():
    chart = year_chart([budget(2019, 15_000_000_000, 14_000_000_000, 13_500_000_000),
                        budget(2017, 0, allowed=False)])
    with translation.override("id"):
        html = render_to_string("budgets/_year_chart.html", {"chart": chart})
    assert "<svg" in html and "<script" not in html and 'role="img"' in html
    assert len(re.findall(r"<rect ", html)) == 1 + 3  # 2017: the (empty) budget bar; 2019: budget, ordered, paid
    assert "Rp 15.000.000.000" in html and "Rp 13.500.000.000" in html
    rows = re.findall(r"<tr><th scope=\"row\">(\d{4})</th>", html)
    assert rows == ["2017", "2019"]
    assert "style=" not in html  # the page's Content-Security-Policy allows no inline styles
    # Coordinates are written for the browser, not in the page's language ("224,5" is no SVG length).
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert not re.search(r'(x|y|y1|y2|width|height)="[^"]*,', svg)
    assert re.search(r'height="\d+\.\d"', svg)


def test_no_budget_says_so_instead_of_an_empty_chart():
    with translation.override("en"):
        html = render_to_string("budgets/_year_chart.html", {"chart": year_chart([])})
    assert "No budget has been entered yet." in html and "<svg" not in html
