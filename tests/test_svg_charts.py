"""The server-drawn charts, read back as XML: a marker per shown value at its place, a gap and an
open marker (no value) for a figure not shown, lines that never bridge a gap, escaped texts, an
empty chart that says so, and the survey's interval with the CBS reference lines."""

import xml.etree.ElementTree as ET

import pytest

from buurtnet.web import svg_charts
from buurtnet.web.svg_charts import (
    Interval,
    IntervalChart,
    LineChart,
    Point,
    Reference,
    Series,
    interval_chart,
    line_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ("jan", "feb", "mrt", "apr")


def chart(*series: Series, labels: tuple[str, ...] = MONTHS, **changes: object) -> ET.Element:
    values = {
        "chart_id": "chart-connection",
        "title": "Verbinding",
        "description": "Actieve bewoners per maand",
        "x_labels": labels,
        "series": series,
        "suppressed_text": "< 10 mensen",
        "empty_text": "Geen cijfers",
    }
    made = LineChart(**(values | changes))  # type: ignore[arg-type]
    return ET.fromstring(line_chart(made))  # noqa: S314 - our own markup


def found(root: ET.Element, css_class: str) -> list[ET.Element]:
    return [element for element in root.iter() if element.get("class") == css_class]


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_every_shown_value_has_a_marker_higher_for_more() -> None:
    root = chart(Series("Vogelwijk", (Point(10), Point(20), Point(40), Point(30))))
    points = found(root, "point")
    assert [p.get("data-index") for p in points] == ["0", "1", "2", "3"]
    assert [p.get("data-value") for p in points] == ["10", "20", "40", "30"]
    heights = [float(p.get("cy") or 0) for p in points]  # the first series draws circles
    assert heights[2] < heights[3] < heights[1] < heights[0]  # SVG's y grows downwards
    xs = [float(p.get("cx") or 0) for p in points]
    assert xs == sorted(xs)
    assert len(found(root, "line")) == 1
    assert not found(root, "gap")


def test_a_suppressed_figure_is_a_gap_with_a_marker_and_no_value() -> None:
    points = (Point(35), Point(None, suppressed=True), Point(20), Point(25))
    root = chart(Series("Vogelwijk", points))
    gaps = found(root, "gap")
    assert len(gaps) == 1
    assert gaps[0].get("data-index") == "1" and gaps[0].get("data-value") is None
    assert [p.get("data-index") for p in found(root, "point")] == ["0", "2", "3"]
    # The line stops before the gap and starts again after it: two pieces, never across.
    lines = found(root, "line")
    assert len(lines) == 1  # the single value before the gap is a marker only
    assert (lines[0].get("d") or "").count("M") == 1 and (lines[0].get("d") or "").count("L") == 1
    assert "< 10 mensen" in texts(root)  # the legend explains the open marker


def test_a_missing_figure_is_a_gap_without_a_marker() -> None:
    root = chart(Series("Vogelwijk", (Point(5), Point(6), Point(None), Point(7))))
    assert not found(root, "gap")
    assert len(found(root, "line")) == 1
    assert "< 10 mensen" not in texts(root)


def test_each_series_differs_in_colour_dash_and_marker_and_has_a_legend_line() -> None:
    names = ("Vogelwijk", "Rivierenbuurt", "Bomenbuurt")
    root = chart(*(Series(name, (Point(1), Point(2), Point(3), Point(4))) for name in names))
    lines = found(root, "line")
    assert len({line.get("stroke") for line in lines}) == 3
    assert len({line.get("stroke-dasharray") for line in lines}) == 3
    first_markers = [
        next(p for p in found(root, "point") if p.get("data-series") == str(n)) for n in range(3)
    ]
    assert [marker.tag for marker in first_markers] == [f"{SVG}circle", f"{SVG}rect", f"{SVG}path"]
    assert [t.text for t in found(root, "legend")] == list(names)


def test_it_is_one_named_image_that_scales_with_the_page() -> None:
    root = chart(Series("Vogelwijk", (Point(1), Point(2), Point(3), Point(4))))
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("viewBox", "").startswith("0 0 ")
    assert root.get("aria-labelledby") == "chart-connection-title chart-connection-desc"
    title = root.find(f"{SVG}title")
    description = root.find(f"{SVG}desc")
    assert title is not None and title.get("id") == "chart-connection-title"
    assert title.text == "Verbinding"
    assert description is not None and description.text == "Actieve bewoners per maand"
    assert root.get("style") is None and all(e.get("style") is None for e in root.iter())


def test_every_text_is_escaped() -> None:
    name = '<script>alert("x")</script> & "Buurt"'
    root = chart(
        Series(name, (Point(1), Point(2), Point(3), Point(4))),
        title="A < B & C",
        chart_id='x" onload="evil',
        labels=("<b>", "&amp;", "'", '"'),
    )
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
    assert name[: svg_charts.MAX_LABEL_CHARACTERS - 1] in texts(root)[-1]
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "A < B & C"
    assert title.get("id") == 'x" onload="evil-title'  # one attribute, the quote kept inside
    assert root.get("onload") is None
    assert "<b>" in texts(root)
    raw = line_chart(
        LineChart("c", "t", "d", ("<b>",), (Series("<i>", (Point(1),)),), "< 10", "none")
    )
    assert "<b>" not in raw and "<i>" not in raw and "&lt;b&gt;" in raw


def test_a_long_name_is_shortened_in_the_legend() -> None:
    name = "Buurt " * 20
    root = chart(Series(name, (Point(1), Point(2), Point(3), Point(4))))
    legend = found(root, "legend")[0].text or ""
    assert len(legend) == svg_charts.MAX_LABEL_CHARACTERS and legend.endswith("…")


@pytest.mark.parametrize(
    "series",
    [(), (Series("Vogelwijk", (Point(None), Point(None), Point(None), Point(None))),)],
)
def test_an_empty_chart_says_so(series: tuple[Series, ...]) -> None:
    root = chart(*series)
    assert "Geen cijfers" in texts(root)
    assert not found(root, "point") and not found(root, "line") and not found(root, "gap")


def test_no_periods_at_all_still_draws() -> None:
    root = chart(labels=())
    assert "Geen cijfers" in texts(root)


def test_only_suppressed_figures_do_not_say_there_are_none() -> None:
    hidden = Point(None, suppressed=True)
    root = chart(Series("Vogelwijk", (hidden, hidden, hidden, hidden)))
    assert len(found(root, "gap")) == 4
    assert "Geen cijfers" not in texts(root)


def test_a_phone_gets_at_most_five_period_labels_always_the_latest() -> None:
    labels = tuple(f"m{n}" for n in range(12))
    root = chart(Series("Vogelwijk", tuple(Point(n) for n in range(12))), labels=labels)
    written = [t.text for t in found(root, "x-label")]
    assert len(written) <= svg_charts.MAX_X_LABELS
    assert written[-1] == "m11"


@pytest.mark.parametrize(
    ("highest", "whole", "ticks"),
    [
        (0, False, [0, 1]),
        (35, True, [0, 10, 20, 30, 40]),
        (40, True, [0, 10, 20, 30, 40]),
        (2, True, [0, 1, 2]),
        (0.7, False, [0, 0.2, 0.4, 0.6, 0.8]),
        (130, True, [0, 50, 100, 150]),
    ],
)
def test_the_axis_has_round_ticks_up_to_the_highest_value(
    highest: float, whole: bool, ticks: list[float]
) -> None:
    assert svg_charts.axis_ticks(highest, whole_numbers=whole) == ticks


def survey(*rows: Interval) -> ET.Element:
    references = (
        Reference("Nederland", 6.4),
        Reference("Niet-stedelijk", 7.1),
        Reference("Zeer sterk stedelijk", 5.8),
    )
    made = IntervalChart("chart-survey", "Sociale samenhang", "Met interval", rows, references)
    return ET.fromstring(interval_chart(made))  # noqa: S314 - our own markup


def test_the_survey_score_is_a_dot_on_its_interval_between_the_reference_lines() -> None:
    root = survey(Interval("Vogelwijk", 7.0, 6.0, 8.0))
    (mean,) = found(root, "mean")
    (bar,) = found(root, "interval")
    assert mean.get("data-value") == "7"
    left, width = float(bar.get("x") or 0), float(bar.get("width") or 0)
    references = {
        line.get("data-value"): float(line.get("x1") or 0) for line in found(root, "reference")
    }
    assert set(references) == {"6.4", "7.1", "5.8"}
    # The scale runs 0-10: the bar from 6 to 8 holds the 6.4 and 7.1 lines, not the 5.8 one.
    assert left < references["6.4"] < references["7.1"] < left + width
    assert references["5.8"] < left
    assert {"Nederland: 6.4", "Niet-stedelijk: 7.1", "Zeer sterk stedelijk: 5.8"} <= set(
        texts(root)
    )
    assert root.get("role") == "img"


def test_an_unpublished_score_has_no_dot_and_says_why() -> None:
    root = survey(Interval("Bomenbuurt <3>", None, missing_text="< 10"))
    assert not found(root, "mean") and not found(root, "interval")
    assert "Bomenbuurt <3>: < 10" in texts(root)


def test_a_score_without_an_interval_has_a_dot_only() -> None:
    root = survey(Interval("Vogelwijk", 6.5))
    assert len(found(root, "mean")) == 1 and not found(root, "interval")
