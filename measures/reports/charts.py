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


def stacked_bars(
    *,
    chart_id: str,
    title: str,
    rows: list[tuple[str, dict[str, int]]],
    series: list[tuple[str, str]],
    colours: dict[str, str],
    width: int = 640,
) -> Markup:
    """Return a horizontal stacked bar chart: one bar per row, one segment per series."""
    label_width, bar_height, gap, legend_height = 230, 18, 8, 22 * ((len(series) + 2) // 3) + 6
    top = 6
    height = top + len(rows) * (bar_height + gap) + legend_height + 10
    plot = width - label_width - 50
    largest = max([sum(counts.values()) for _label, counts in rows] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_describe(rows, series))}</desc>',
    ]
    y = top
    for label, counts in rows:
        text = label if len(label) <= 34 else label[:33] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height - 5}" text-anchor="end" font-size="11" fill="#1a1a1a">{escape(text)}</text>'
        )
        x = label_width
        for code, _name in series:
            n = counts.get(code, 0)
            if n:
                w = plot * n / largest
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{colours[code]}"/>'
                )
                x += w
        total = sum(counts.values())
        parts.append(f'<text x="{x + 5:.1f}" y="{y + bar_height - 5}" font-size="11" fill="#1a1a1a">{total}</text>')
        y += bar_height + gap
    y += 4
    for i, (code, name) in enumerate(series):
        lx = 10 + (i % 3) * ((width - 20) // 3)
        ly = y + (i // 3) * 22
        parts.append(f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{colours[code]}"/>')
        parts.append(f'<text x="{lx + 17}" y="{ly + 10}" font-size="11" fill="#1a1a1a">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in `parts` went through escape()


def _describe(rows, series) -> str:
    names = dict(series)
    described = []
    for label, counts in rows:
        pieces = [f"{names[code]} {counts[code]}" for code, _ in series if counts.get(code)]
        described.append(f"{label}: {', '.join(pieces) or 'geen'}")
    return "; ".join(described)
