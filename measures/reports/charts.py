"""Server-side SVG charts, shared by the dashboard and the parliament report so both agree.

Plain SVG (no foreignObject, no script), with a <title> and <desc> for screen readers; every chart
is accompanied by the same numbers as a table where it is shown.
"""

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
