"""The time-to-acknowledge chart, drawn on the server as inline SVG: one dot per acknowledged
escalation in its week's column, on a logarithmic scale of time (seconds to hours sit on one
chart), and the week's median as a bar with its value written above it."""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from hotline.web.console.format import duration
from hotline.web.console.reports import Week

WIDTH, HEIGHT = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 24, 48
LOW, HIGH = 10.0, 24 * 3600.0  # the scale's ends in seconds: faster shows at 10 s, slower at 24 h
TICKS = {10: "10 s", 30: "30 s", 60: "1 min", 5 * 60: "5 min", 15 * 60: "15 min", 3600: "1 h",
         4 * 3600: "4 h", 12 * 3600: "12 h", 24 * 3600: "24 h"}


def _y(seconds: float, top: float) -> float:
    clamped = min(max(seconds, LOW), top)
    share = (math.log(clamped) - math.log(LOW)) / (math.log(top) - math.log(LOW))
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - share)


def _jitter(i: int) -> float:
    """A spread of dots across a column that is the same on every render (no randomness)."""
    return ((i * 0.6180339887) % 1.0) - 0.5


def time_to_ack(weeks: list[Week]) -> Markup:
    worst = max([s for w in weeks for _, s in w.acks] + [3600.0])
    top = next((t for t in (3600.0, 4 * 3600.0, 12 * 3600.0) if worst <= t), HIGH)
    plot_w = WIDTH - LEFT - RIGHT
    col = plot_w / max(1, len(weeks))
    out = [f'<svg class="chart" role="img" aria-labelledby="tta-title tta-desc" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'width="100%" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="11">',
           '<title id="tta-title">Time to acknowledge, by week</title>',
           '<desc id="tta-desc">One dot per acknowledged escalation; the bar is the week\'s median. '
           'Logarithmic time scale.</desc>',
           f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{HEIGHT - TOP - BOTTOM}" fill="#fbfaf8" '
           f'stroke="#d8d4cc"/>']
    for tick, label in TICKS.items():
        if tick > top:
            continue
        y = _y(tick, top)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e6e2da"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{label}</text>')
    for i, week in enumerate(weeks):
        cx = LEFT + col * (i + 0.5)
        out.append(f'<g class="week" data-week="{week.start:%Y-%m-%d}" data-count="{len(week.acks)}">')
        out.append(f'<text x="{cx:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" fill="#333">'
                   f'{week.start:%d %b}</text>')
        out.append(f'<text x="{cx:.1f}" y="{HEIGHT - BOTTOM + 30}" text-anchor="middle" fill="#777">'
                   f'n={len(week.acks)}</text>')
        for j, (code, seconds) in enumerate(week.acks):
            x = cx + _jitter(j) * col * 0.5
            out.append(f'<circle class="ack" cx="{x:.1f}" cy="{_y(seconds, top):.1f}" r="3.5" fill="#4a3f8c" '
                       f'fill-opacity="0.55"><title>{escape(code)}: {duration(seconds)}</title></circle>')
        median = week.median
        if median is not None:
            y = _y(median, top)
            half = col * 0.32
            out.append(f'<line class="median" data-seconds="{median:.0f}" x1="{cx - half:.1f}" x2="{cx + half:.1f}" '
                       f'y1="{y:.1f}" y2="{y:.1f}" stroke="#c2410c" stroke-width="3"/>')
            out.append(f'<text class="median-label" x="{cx:.1f}" y="{y - 6:.1f}" text-anchor="middle" '
                       f'fill="#c2410c" font-weight="600" stroke="#fff" stroke-width="3" paint-order="stroke">'
                       f'{duration(median)}</text>')
        out.append('</g>')
    out.append(f'<text x="{LEFT}" y="{TOP - 8}" fill="#333">time to acknowledge (log scale) — '
               f'<tspan fill="#4a3f8c">● one escalation</tspan>  <tspan fill="#c2410c">━ median</tspan></text>')
    out.append('</svg>')
    return Markup("".join(out))
