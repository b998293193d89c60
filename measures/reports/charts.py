"""Server-side SVG charts, shared by the dashboard and the parliament report so both agree.

Plain SVG (no foreignObject, no script), with a <title> and <desc> for screen readers; every chart
is accompanied by the same numbers as a table where it is shown.
"""

from datetime import timedelta

from markupsafe import Markup, escape

# Fill colours with at least 3:1 contrast against white (WCAG 1.4.11), one per status.
STATUS_COLOURS = {
    "gepland": "#6b6b6b",
    "in_uitvoering": "#1f5fa8",
    "deels_gerealiseerd": "#b35900",
    "gerealiseerd": "#1e7a34",
    "beeindigd": "#a4000f",
    "onbekend": "#8a8a8a",
}
DEADLINE_COLOURS = {"op_tijd": "#1e7a34", "verstreken": "#a4000f", "uitgesteld": "#b35900", "geen": "#8a8a8a"}


# Text is drawn at 11 px; an average Dutch character of DejaVu Sans at 11 px is about 6.2 px wide.
FONT_SIZE, CHAR_WIDTH, LINE_HEIGHT = 11, 6.2, 13


def wrap(text: str, width: float) -> list[str]:
    """Break a label into lines that fit `width` px at the chart's font, between words; a word longer
    than a line is broken inside (no label is ever cut off with an ellipsis)."""
    per_line = max(8, int(width // CHAR_WIDTH))
    lines: list[str] = []
    line = ""
    for word in text.split():
        while len(word) > per_line:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[: per_line - 1] + "-")
            word = word[per_line - 1 :]
        candidate = f"{line} {word}".strip()
        if len(candidate) <= per_line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines or [""]


def _text(x: float, y: float, lines: list[str], anchor: str = "start") -> str:
    """An SVG text of one or more lines (tspans), the first line's baseline at y."""
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else LINE_HEIGHT}">{escape(line)}</tspan>' for i, line in enumerate(lines)
    )
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{FONT_SIZE}" fill="#1a1a1a">{spans}</text>'


def stacked_bars(
    *,
    chart_id: str,
    title: str,
    rows: list[tuple[str, dict[str, int]]],
    series: list[tuple[str, str]],
    colours: dict[str, str],
    width: int = 640,
    narrow: bool = False,
    numbers_in_title: bool = False,
) -> Markup:
    """Return a horizontal stacked bar chart: one bar per row, one segment per series.

    The SVG has a viewBox, so its size follows its container (the pages' CSS gives `.chart` the
    container's width, up to `width`, and the height that keeps its proportions). Wide, each row's label stands left of its bar, wrapped onto as many lines as it
    needs; `narrow` (for a phone, drawn about 300 px wide) puts each label on its own lines above
    its bar, so that the bar gets the whole width. No label is shortened.

    `numbers_in_title` (for the PDF report) puts every number the chart shows into its <title> as
    well: WeasyPrint turns an SVG's <title> into the /Alt text of the PDF's Figure, and /Alt is all a
    screen reader reads of a figure (PDF/UA, Matterhorn 13-004). Without it the output is unchanged.
    """
    bar_height, gap, top = 18, 10, 6
    label_width = 0 if narrow else 230
    columns = 1 if narrow else 3
    plot = width - label_width - 50
    largest = max([sum(counts.values()) for _label, counts in rows] + [1])
    body: list[str] = []
    y = top
    for label, counts in rows:
        if narrow:
            lines = wrap(label, width - 10)
            body.append(_text(0, y + FONT_SIZE, lines))
            y += len(lines) * LINE_HEIGHT + 4
            bar_y = y
        else:
            lines = wrap(label, label_width - 12)
            block = max(bar_height, len(lines) * LINE_HEIGHT)
            bar_y = y + (block - bar_height) / 2
            first_baseline = y + (block - len(lines) * LINE_HEIGHT) / 2 + FONT_SIZE
            body.append(_text(label_width - 8, first_baseline, lines, anchor="end"))
        x = label_width
        for code, _name in series:
            n = counts.get(code, 0)
            if n:
                w = plot * n / largest
                body.append(
                    f'<rect x="{x:.1f}" y="{bar_y:.1f}" width="{w:.1f}" height="{bar_height}" fill="{colours[code]}"/>'
                )
                x += w
        total = sum(counts.values())
        body.append(_text(x + 5, bar_y + bar_height - 5, [str(total)]))
        y = bar_y + bar_height + gap if narrow else y + max(bar_height, len(lines) * LINE_HEIGHT) + gap
    y += 4
    column_width = (width - 20) // columns
    legend_y = y
    for i, (code, name) in enumerate(series):
        lx = 10 + (i % columns) * column_width
        ly = legend_y + (i // columns) * 22
        body.append(f'<rect x="{lx}" y="{ly:.1f}" width="12" height="12" fill="{colours[code]}"/>')
        body.append(_text(lx + 17, ly + 10, [name]))
    height = legend_y + ((len(series) + columns - 1) // columns) * 22 + 6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height:.0f}" '
        f'viewBox="0 0 {width} {height:.0f}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'class="chart{" chart--narrow" if narrow else ""}">',
        f'<title id="{chart_id}-title">{escape(_alt_text(title, rows, series) if numbers_in_title else title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_describe(rows, series))}</desc>',
        *body,
        "</svg>",
    ]
    return Markup("".join(parts))  # noqa: S704 - every text in `parts` went through escape()


def _describe(rows, series) -> str:
    names = dict(series)
    described = []
    for label, counts in rows:
        pieces = [f"{names[code]} {counts[code]}" for code, _ in series if counts.get(code)]
        described.append(f"{label}: {', '.join(pieces) or 'geen'}")
    return "; ".join(described)


def _alt_text(title: str, rows, series) -> str:
    """The chart as one text: its title, then per bar its label, its total and each non-zero segment."""
    names = dict(series)
    described = []
    for label, counts in rows:
        pieces = [f"{names[code]} {counts[code]}" for code, _ in series if counts.get(code)]
        total = sum(counts.values())  # as the bar's end shows it
        described.append(f"{label}: totaal {total}" + (f" ({', '.join(pieces)})" if pieces else ""))
    return f"{title}. {'; '.join(described)}."


# The line chart of an indicator: its measurements, the straight line from baseline to target,
# and the day it is read on. Colours with at least 3:1 contrast against white.
MEASURED, PLANNED, TODAY = "#1f5fa8", "#4d4d4d", "#a4000f"


def trajectory_chart(
    *,
    chart_id: str,
    title: str,
    points: list[tuple],
    line: tuple | None,
    target: tuple,
    today,
    unit: str,
    line_shown: str = "",
    start=None,
    width: int = 640,
    numbers_in_title: bool = False,
) -> Markup:
    """Return an indicator's line chart: `points` are (date, value, shown date, shown value) of its
    measurements, `line` the (date, value) ends of the straight line from baseline to target (None
    without a baseline or a target date), `target` (value, shown value, date or None, shown date),
    `today` the (date, label) the page is read on.

    Like the bar charts: a viewBox, so it follows its container; text at 11 px, drawn 300 px wide
    for a phone (`width=300`). Every number is in the <desc> (and with `numbers_in_title`, for the
    PDF, in the <title>), and the page shows them in a table beside it.
    """
    target_value, target_shown, target_on, target_on_shown = target
    today_on, today_label = today
    left, right, top = 44, 12, 10
    plot_h = 150 if width >= 400 else 130
    days = [p[0] for p in points] + ([line[0][0], line[1][0]] if line else []) + [today_on]
    if target_on is not None:
        days.append(target_on)
    if start is not None:
        days.append(start)
    first, last = min(days), max(days)
    if (last - first).days < 365:
        last = first + timedelta(days=365)
    pad = timedelta(days=max(1, (last - first).days // 30))  # no mark sits on an axis
    first, last = first - pad, last + pad
    values = [float(p[1]) for p in points] + [float(target_value)] + ([float(line[0][1])] if line else [])
    high = max(values + [0.0]) or 1.0
    high *= 1.1
    plot_w = width - left - right

    def x(day) -> float:
        return left + plot_w * (day - first).days / (last - first).days

    def y(value) -> float:
        return top + plot_h - plot_h * float(value) / high

    body: list[str] = []
    axis_y = top + plot_h
    body.append(f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" stroke="#4d4d4d"/>')
    body.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{axis_y}" stroke="#4d4d4d"/>')
    # y axis: 0 and the target
    for value, shown in ((0, "0"), (target_value, target_shown)):
        body.append(_text(left - 4, y(value) + 4, [shown], anchor="end"))
        body.append(
            f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - right}" y2="{y(value):.1f}" '
            f'stroke="#8a8a8a" stroke-dasharray="2 3"/>'
        )
    # x axis: the years, as many as fit
    years = list(range(first.year + (first.month > 1 or first.day > 1), last.year + 1))
    step = max(1, -(-len(years) * 36 // plot_w)) if years else 1
    for year in years[::step]:
        at = x(first.replace(year=year, month=1, day=1))
        body.append(f'<line x1="{at:.1f}" y1="{axis_y}" x2="{at:.1f}" y2="{axis_y + 4}" stroke="#4d4d4d"/>')
        body.append(_text(at, axis_y + 16, [str(year)], anchor="middle"))
    if line:
        (d0, v0), (d1, v1) = line
        body.append(
            f'<line x1="{x(d0):.1f}" y1="{y(v0):.1f}" x2="{x(d1):.1f}" y2="{y(v1):.1f}" '
            f'stroke="{PLANNED}" stroke-width="2" stroke-dasharray="6 4"/>'
        )
    if target_on is not None:
        tx, ty = x(target_on), y(target_value)
        body.append(
            f'<path d="M{tx:.1f} {ty - 6:.1f} L{tx + 6:.1f} {ty:.1f} L{tx:.1f} {ty + 6:.1f} L{tx - 6:.1f} {ty:.1f} Z" '
            f'fill="#ffffff" stroke="{PLANNED}" stroke-width="2"/>'
        )
    tx = x(today_on)
    body.append(f'<line x1="{tx:.1f}" y1="{top}" x2="{tx:.1f}" y2="{axis_y}" stroke="{TODAY}" stroke-width="2"/>')
    if len(points) > 1:
        path = " ".join(f"{x(p[0]):.1f},{y(p[1]):.1f}" for p in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{MEASURED}" stroke-width="2"/>')
    for p in points:
        body.append(f'<circle cx="{x(p[0]):.1f}" cy="{y(p[1]):.1f}" r="4" fill="{MEASURED}"/>')
    # legend, one item per line on a phone
    legend = [("meting", MEASURED, "dot")] if points else []
    if line:
        legend.append(("lijn van nulmeting naar streefwaarde", PLANNED, "dash"))
    if target_on is not None:
        legend.append(("streefwaarde", PLANNED, "diamond"))
    legend.append((today_label, TODAY, "rule"))
    ly = axis_y + 30
    lx = 10
    for name, colour, mark in legend:
        label_width = len(name) * CHAR_WIDTH + 30
        if lx + label_width > width and lx > 10:
            lx, ly = 10, ly + 18
        if mark == "dot":
            body.append(f'<circle cx="{lx + 6}" cy="{ly - 4}" r="4" fill="{colour}"/>')
        elif mark == "diamond":
            body.append(
                f'<path d="M{lx + 6} {ly - 10} L{lx + 12} {ly - 4} L{lx + 6} {ly + 2} L{lx} {ly - 4} Z" fill="#ffffff" stroke="{colour}" stroke-width="2"/>'
            )
        elif mark == "dash":
            body.append(
                f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 14}" y2="{ly - 4}" stroke="{colour}" stroke-width="2" stroke-dasharray="4 2"/>'
            )
        else:
            body.append(
                f'<line x1="{lx + 6}" y1="{ly - 11}" x2="{lx + 6}" y2="{ly + 3}" stroke="{colour}" stroke-width="2"/>'
            )
        body.append(_text(lx + 18, ly, [name]))
        lx += int(label_width)
    height = ly + 10
    described = [f"{p[2]}: {p[3]} {unit}".rstrip() for p in points] or ["nog geen meting"]
    description = (
        f"Metingen: {'; '.join(described)}. Streefwaarde {target_shown} {unit}".rstrip()
        + (f" in {target_on_shown}" if target_on is not None else ", streefdatum onbekend")
        + (f"; {line_shown}" if line and line_shown else "")
        + f". {today_label}."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height:.0f}" '
        f'viewBox="0 0 {width} {height:.0f}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'class="chart chart--line{" chart--narrow" if width < 400 else ""}">',
        f'<title id="{chart_id}-title">{escape(f"{title}. {description}" if numbers_in_title else title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        *body,
        "</svg>",
    ]
    return Markup("".join(parts))  # noqa: S704 - every text in `parts` went through escape()
