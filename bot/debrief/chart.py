"""A small inline SVG line chart of the client's inner state over the turns.

Served inside the page (no script, no CDN), readable without colour: each line has its
own dash pattern and a label at its end; the exact values are in <title> tooltips.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.debrief.debrief import CHART_KEYS, SeriesPoint
from bot.debrief.words import STATE_WORDS

# Line styles per state (colour, dash pattern); dashes keep the lines apart in grey print.
STYLES: dict[str, tuple[str, str]] = {
    "trust": ("#1f6f8b", ""),
    "willingness": ("#b5541c", "6 4"),
    "hope": ("#4d7c0f", "2 3"),
    "understanding": ("#6b21a8", "10 3 2 3"),
}
# Other lines (e.g. rubric dimensions) take these in turn.
PALETTE: tuple[tuple[str, str], ...] = (("#1f6f8b", ""), ("#b5541c", "6 4"), ("#4d7c0f", "2 3"),
                                        ("#6b21a8", "10 3 2 3"))
WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 40, 110, 16, 30


def state_chart_svg(series: Sequence[SeriesPoint], keys: Sequence[str] = CHART_KEYS,
                    title: str = "The client's trust and willingness over the turns") -> str:
    """SVG markup (0..1 on the y axis, turn numbers on the x axis)."""
    return lines_chart_svg(series, keys, title, y_max=1.0, x_label="turn",
                           names=STATE_WORDS)


def lines_chart_svg(series: Sequence[SeriesPoint], keys: Sequence[str], title: str, *,
                    y_max: float, x_label: str, names: dict[str, str] | None = None,
                    x_names: dict[int, str] | None = None) -> str:
    """A line per key over the points' n (0..y_max on the y axis); `x_names` labels the
    x ticks (e.g. rehearsal dates) instead of the numbers."""
    names = names or {}
    x_names = x_names or {}
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    last_n = max((p.n for p in series), default=1) or 1
    first_n = min((p.n for p in series), default=0)
    span = max(last_n - first_n, 1)

    def x(n: int) -> float:
        return PAD_LEFT + (n - first_n) / span * plot_w

    def y(v: float) -> float:
        return PAD_TOP + (1 - max(0.0, min(1.0, v / y_max))) * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'class="state-chart" role="img" aria-label="{escape(title)}">',
           f"<title>{escape(title)}</title>"]
    for level in (0.0, y_max / 2, y_max):
        out.append(f'<line x1="{PAD_LEFT}" x2="{PAD_LEFT + plot_w}" y1="{y(level):.1f}" '
                   f'y2="{y(level):.1f}" stroke="#ccc" stroke-width="1"/>')
        out.append(f'<text x="{PAD_LEFT - 6}" y="{y(level) + 4:.1f}" font-size="11" '
                   f'text-anchor="end" fill="#555">{level:g}</text>')
    step = max(1, span // 10)
    for n in range(first_n, last_n + 1, step):
        out.append(f'<text x="{x(n):.1f}" y="{HEIGHT - 10}" font-size="11" '
                   f'text-anchor="middle" fill="#555">{escape(x_names.get(n, str(n)))}</text>')
    out.append(f'<text x="{PAD_LEFT + plot_w / 2:.1f}" y="{HEIGHT}" font-size="11" '
               f'text-anchor="middle" fill="#555">{escape(x_label)}</text>')
    label_ys: list[float] = []
    for key in keys:
        points = [(p.n, p.values[key]) for p in series if key in p.values]
        if not points:
            continue
        colour, dash = STYLES.get(key, PALETTE[keys.index(key) % len(PALETTE)])
        coords = " ".join(f"{x(n):.1f},{y(v):.1f}" for n, v in points)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<polyline class="line-{key}" fill="none" stroke="{colour}" '
                   f'stroke-width="2.5"{dash_attr} points="{coords}"/>')
        for n, v in points:
            out.append(f'<circle cx="{x(n):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}">'
                       f"<title>{escape(x_label)} {escape(x_names.get(n, str(n)))}: "
                       f"{escape(names.get(key, key))} {v:.2f}"
                       "</title></circle>")
        n_end, v_end = points[-1]
        label_y = y(v_end) + 4
        while any(abs(label_y - used) < 13 for used in label_ys):  # keep end labels apart
            label_y += 13
        label_ys.append(label_y)
        out.append(f'<text x="{x(n_end) + 8:.1f}" y="{label_y:.1f}" font-size="12" '
                   f'fill="{colour}">{escape(names.get(key, key))}</text>')
    out.append("</svg>")
    return "".join(out)
