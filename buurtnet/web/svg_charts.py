"""Charts drawn on the server as SVG: they need no JavaScript, load nothing from elsewhere and
print as they look. Pure: values and ready-made texts in, markup out.

Readable for everyone: the SVG scales with its `viewBox` to the width of a phone; each series has
a colour of the Okabe-Ito palette (told apart by colour-blind people) *and* its own dash pattern
and marker shape, so that it also reads in greyscale and on paper. The chart is one image to a
screen reader (`role="img"`, named by its title and description); the page puts the numbers
beside it as a table. A figure that may not be shown (fewer than k people) is a gap in the line
with an open marker on the axis, never a value. Every text is escaped here: neighbourhood names
are typed in by people.

Only presentation attributes, no `style`: the site's Content-Security-Policy forbids inline styles.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00", "#56B4E9")
DASHES = ("", "8 4", "2 3", "10 3 2 3", "4 4", "12 3 2 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "triangle-down")
REFERENCE_DASHES = ("6 3", "2 2", "10 3 2 3")
GREY = "#555555"
AXIS = "#1b1b1b"
GRID = "#d9d4c9"

WIDTH = 360  # viewBox units: about one unit per pixel on a phone
FONT_SIZE = 15
LEFT = 48  # room for the y-axis labels
INTERVAL_LEFT = 16  # the interval chart has no y-axis
RIGHT = 28  # room for half the latest period's label
TOP = 12
PLOT_HEIGHT = 150
X_LABEL_ROOM = 26
LEGEND_ROW = 22
MAX_X_LABELS = 5  # more would overlap on a phone; the table has every period
MAX_LABEL_CHARACTERS = 38  # a legend line fits the width; the table has the full name
MARKER_SIZE = 4.0
# The corners of the drawn markers, in marker sizes from the centre (a cross is two strokes).
SHAPES = {
    "triangle": ((0.0, -1.2), (1.1, 0.8), (-1.1, 0.8)),
    "triangle-down": ((0.0, 1.2), (1.1, -0.8), (-1.1, -0.8)),
    "diamond": ((0.0, -1.3), (1.3, 0.0), (0.0, 1.3), (-1.3, 0.0)),
    "cross": ((-1.0, -1.0), (1.0, 1.0), (0.0, 0.0), (1.0, -1.0), (-1.0, 1.0)),
}
Y_TICKS = 4


def number_as_text(value: float) -> str:
    """Plain formatting, for callers that do not pass the reader's locale."""
    return f"{value:g}"


@dataclass(frozen=True)
class Point:
    """One period's value: None without `suppressed` where there is no figure at all."""

    value: float | None
    suppressed: bool = False


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[Point, ...]  # one per x label, in the same order


@dataclass(frozen=True)
class LineChart:
    chart_id: str  # unique on the page: the title and description are named after it
    title: str
    description: str
    x_labels: tuple[str, ...]
    series: tuple[Series, ...]
    suppressed_text: str  # "< 10", for the marker of a figure not shown and its legend line
    empty_text: str  # what the chart says when it has no figure at all
    format_number: Callable[[float], str] = number_as_text
    whole_numbers: bool = False  # a count: no ticks between whole numbers


@dataclass(frozen=True)
class Interval:
    """A mean with its 95% interval; `mean` None when it may not be shown (`missing_text`)."""

    label: str
    mean: float | None
    low: float | None = None
    high: float | None = None
    missing_text: str = ""


@dataclass(frozen=True)
class Reference:
    label: str
    value: float


@dataclass(frozen=True)
class IntervalChart:
    chart_id: str
    title: str
    description: str
    rows: tuple[Interval, ...]
    references: tuple[Reference, ...] = ()
    lowest: float = 0.0
    highest: float = 10.0
    format_number: Callable[[float], str] = number_as_text
    ticks: tuple[float, ...] = (0, 2, 4, 6, 8, 10)


def line_chart(chart: LineChart) -> str:
    """A line per series over the periods, with its legend, as an SVG element."""
    bottom = TOP + PLOT_HEIGHT
    right = WIDTH - RIGHT
    values = [p.value for s in chart.series for p in s.points if p.value is not None]
    suppressed = any(p.suppressed for s in chart.series for p in s.points)
    legend_rows = len(chart.series) + (1 if suppressed else 0)
    height = bottom + X_LABEL_ROOM + LEGEND_ROW * legend_rows + 6
    parts = [_open_svg(chart.chart_id, chart.title, chart.description, height)]
    ticks = axis_ticks(max(values, default=0.0), whole_numbers=chart.whole_numbers)
    y_of = _scale(0.0, ticks[-1], bottom, TOP)
    parts += _y_axis(ticks, y_of, chart.format_number)
    count = len(chart.x_labels)
    x_of = _band_centres(count, LEFT, right)
    parts += _x_axis(chart.x_labels, x_of, bottom)
    if not values and not suppressed:
        middle = (TOP + bottom) / 2
        parts.append(_text(chart.empty_text, (LEFT + right) / 2, middle, anchor="middle"))
    for index, series in enumerate(chart.series):
        parts += _series(index, series, x_of, y_of, bottom)
    legend_top = bottom + X_LABEL_ROOM
    for index, series in enumerate(chart.series):
        parts += _legend_line(index, series.label, legend_top + LEGEND_ROW * index)
    if suppressed:
        y = legend_top + LEGEND_ROW * len(chart.series) + LEGEND_ROW / 2
        parts.append(_marker("circle", LEFT + 12, y, GREY, hollow=True, css_class="legend-gap"))
        parts.append(_text(chart.suppressed_text, LEFT + 30, y + FONT_SIZE / 3))
    parts.append("</svg>")
    return "".join(parts)


def interval_chart(chart: IntervalChart) -> str:
    """Each row's mean as a dot on its 95% interval bar, on a fixed scale with reference lines."""
    row_height = FONT_SIZE + 28
    axis_y = TOP + row_height * len(chart.rows) + 4
    height = axis_y + X_LABEL_ROOM + LEGEND_ROW * len(chart.references) + 6
    left, right = INTERVAL_LEFT, WIDTH - INTERVAL_LEFT
    x_of = _scale(chart.lowest, chart.highest, left, right)
    parts = [_open_svg(chart.chart_id, chart.title, chart.description, height)]
    parts.append(_line(left, axis_y, right, axis_y, AXIS))
    for tick in chart.ticks:
        x = x_of(tick)
        parts.append(_line(x, axis_y, x, axis_y + 4, AXIS))
        parts.append(_text(f"{tick:g}", x, axis_y + 4 + FONT_SIZE, anchor="middle"))
    for index, reference in enumerate(chart.references):
        x = x_of(reference.value)
        dash = REFERENCE_DASHES[index % len(REFERENCE_DASHES)]
        parts.append(
            f'<line class="reference" x1="{_n(x)}" y1="{_n(TOP)}" x2="{_n(x)}" y2="{_n(axis_y)}"'
            f' stroke="{GREY}" stroke-width="1.5" stroke-dasharray="{dash}"'
            f' data-value="{_n(reference.value)}"/>'
        )
    for index, row in enumerate(chart.rows):
        top = TOP + row_height * index
        shown = chart.format_number(row.mean) if row.mean is not None else row.missing_text
        label = f"{_short(row.label)}: {shown}"
        parts.append(_text(label, left, top + FONT_SIZE, css_class="row-label", halo=True))
        if row.mean is None:
            continue
        bar_y = top + FONT_SIZE + 13
        if row.low is not None and row.high is not None:
            low, high = x_of(row.low), x_of(row.high)
            parts.append(
                f'<rect class="interval" x="{_n(low)}" y="{_n(bar_y - 4)}"'
                f' width="{_n(max(high - low, 1.0))}" height="8" fill="#9ecae1"'
                f' stroke="{COLOURS[0]}" stroke-width="1"/>'
            )
        data = {"value": _n(row.mean)}
        parts.append(
            _marker("diamond", x_of(row.mean), bar_y, AXIS, css_class="mean", size=5.5, data=data)
        )
    legend_top = axis_y + X_LABEL_ROOM
    for index, reference in enumerate(chart.references):
        y = legend_top + LEGEND_ROW * index + LEGEND_ROW / 2
        dash = REFERENCE_DASHES[index % len(REFERENCE_DASHES)]
        parts.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + 24)}" y2="{_n(y)}"'
            f' stroke="{GREY}" stroke-width="1.5" stroke-dasharray="{dash}"/>'
        )
        label = f"{reference.label}: {chart.format_number(reference.value)}"
        parts.append(_text(label, left + 30, y + FONT_SIZE / 3))
    parts.append("</svg>")
    return "".join(parts)


def axis_ticks(highest: float, *, whole_numbers: bool = False) -> list[float]:
    """The y-axis' ticks from 0: round steps (1, 2 or 5 times a power of ten), about four of
    them, the last at or above the highest value. Steps of whole numbers for counts."""
    if highest <= 0:
        return [0.0, 1.0]
    rough = highest / Y_TICKS
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    if whole_numbers:
        step = max(step, 1)
    steps = math.ceil(highest / step - 1e-9)
    return [round(step * n, 10) for n in range(steps + 1)]


def shown_labels(count: int) -> set[int]:
    """Which x labels to write: at most MAX_X_LABELS, always the latest period."""
    step = max(1, math.ceil(count / MAX_X_LABELS))
    return {index for index in range(count) if (count - 1 - index) % step == 0}


def _open_svg(chart_id: str, title: str, description: str, height: float) -> str:
    ident = escape(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {_n(height)}"'
        f' width="100%" role="img" aria-labelledby="{ident}-title {ident}-desc"'
        f' font-family="system-ui, sans-serif" font-size="{FONT_SIZE}">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
    )


def _y_axis(
    ticks: Sequence[float], y_of: Callable[[float], float], fmt: Callable[[float], str]
) -> list[str]:
    parts = []
    for value in ticks:
        y = y_of(value)
        parts.append(_line(LEFT, y, WIDTH - RIGHT, y, AXIS if value == 0 else GRID))
        parts.append(_text(fmt(value), LEFT - 4, y + FONT_SIZE / 3, anchor="end"))
    return parts


def _x_axis(labels: Sequence[str], x_of: Callable[[int], float], bottom: float) -> list[str]:
    return [
        _text(label, x_of(index), bottom + FONT_SIZE + 4, anchor="middle", css_class="x-label")
        for index, label in enumerate(labels)
        if index in shown_labels(len(labels))
    ]


def _series(
    index: int,
    series: Series,
    x_of: Callable[[int], float],
    y_of: Callable[[float], float],
    bottom: float,
) -> list[str]:
    colour, dash, shape = _style(index)
    parts = []
    for run in _runs(series.points):
        if len(run) > 1:
            path = " ".join(
                f"{'M' if n == 0 else 'L'}{_n(x_of(i))} {_n(y_of(v))}"
                for n, (i, v) in enumerate(run)
            )
            parts.append(
                f'<path class="line" data-series="{index}" d="{path}" fill="none"'
                f' stroke="{colour}" stroke-width="2.5" stroke-dasharray="{dash}"'
                ' stroke-linejoin="round"/>'
            )
    for position, point in enumerate(series.points):
        data = {"series": str(index), "index": str(position)}
        if point.value is not None:
            y = y_of(point.value)
            data["value"] = _n(point.value)
            parts.append(_marker(shape, x_of(position), y, colour, css_class="point", data=data))
        elif point.suppressed:
            x = x_of(position)
            parts.append(
                _marker("circle", x, bottom, colour, css_class="gap", hollow=True, data=data)
            )
    return parts


def _runs(points: Sequence[Point]) -> list[list[tuple[int, float]]]:
    """The stretches of consecutive shown values: a line never bridges a gap."""
    runs: list[list[tuple[int, float]]] = [[]]
    for position, point in enumerate(points):
        if point.value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((position, point.value))
    return [run for run in runs if run]


def _legend_line(index: int, label: str, top: float) -> list[str]:
    colour, dash, shape = _style(index)
    y = top + LEGEND_ROW / 2
    return [
        f'<line x1="{_n(LEFT)}" y1="{_n(y)}" x2="{_n(LEFT + 24)}" y2="{_n(y)}" stroke="{colour}"'
        f' stroke-width="2.5" stroke-dasharray="{dash}"/>',
        _marker(shape, LEFT + 12, y, colour, css_class="legend-marker"),
        _text(_short(label), LEFT + 30, y + FONT_SIZE / 3, css_class="legend"),
    ]


def _style(index: int) -> tuple[str, str, str]:
    return (
        COLOURS[index % len(COLOURS)],
        DASHES[index % len(DASHES)],
        MARKERS[index % len(MARKERS)],
    )


def _marker(
    shape: str,
    x: float,
    y: float,
    colour: str,
    *,
    css_class: str,
    hollow: bool = False,
    size: float = MARKER_SIZE,
    data: dict[str, str] | None = None,
) -> str:
    """A marker of the shape, centred on (x, y); `data` become data-* attributes."""
    fill = "#ffffff" if hollow else colour
    width = 2.5 if shape == "cross" else 1.5
    extra = "".join(f' data-{name}="{escape(value)}"' for name, value in (data or {}).items())
    paint = f'class="{css_class}" fill="{fill}" stroke="{colour}" stroke-width="{width}"{extra}'
    if shape == "circle":
        return f'<circle {paint} cx="{_n(x)}" cy="{_n(y)}" r="{_n(size)}"/>'
    if shape == "square":
        corner = f'x="{_n(x - size)}" y="{_n(y - size)}"'
        return f'<rect {paint} {corner} width="{_n(2 * size)}" height="{_n(2 * size)}"/>'
    corners = SHAPES[shape]
    path = " ".join(
        f"{'M' if n == 0 else 'L'}{_n(x + dx * size)} {_n(y + dy * size)}"
        for n, (dx, dy) in enumerate(corners)
    )
    closing = "" if shape == "cross" else " Z"
    return f'<path {paint} d="{path}{closing}"/>'


def _scale(low: float, high: float, start: float, end: float) -> Callable[[float], float]:
    span = (high - low) or 1.0
    return lambda value: start + (value - low) / span * (end - start)


def _band_centres(count: int, start: float, end: float) -> Callable[[int], float]:
    width = (end - start) / max(count, 1)
    return lambda index: start + width * (index + 0.5)


def _line(x1: float, y1: float, x2: float, y2: float, colour: str) -> str:
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{colour}"'
        ' stroke-width="1"/>'
    )


def _text(
    content: str,
    x: float,
    y: float,
    *,
    anchor: str = "start",
    css_class: str = "",
    halo: bool = False,
) -> str:
    """A text; with a `halo` of the background around its letters, so it reads over lines."""
    attributes = f' class="{css_class}"' if css_class else ""
    if halo:
        attributes += ' stroke="#ffffff" stroke-width="4" paint-order="stroke"'
    return (
        f'<text{attributes} x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="{AXIS}">'
        f"{escape(content)}</text>"
    )


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARACTERS else label[: MAX_LABEL_CHARACTERS - 1] + "…"


def _n(value: float) -> str:
    """A coordinate with at most one decimal: enough for the eye, short in the page."""
    return f"{round(value, 1):g}"
