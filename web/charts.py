"""SVG charts drawn on the server: rates over time (one small panel per look-for)
and bars per look-for. Plain SVG with presentation attributes only (no style or
script, so the pages' CSP holds), text large enough for a tablet, every number
also written as text. A suppressed value is drawn as the word "suppressed",
never as a number or a bar.
"""

from __future__ import annotations

from html import escape

import msgspec

WIDTH = 720
LABEL_WIDTH = 250
FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif"
INK = "#1f2933"
MUTED = "#52606d"
GRID = "#d9e2ec"
ACCENT = "#0b4f8a"
PANEL_HEIGHT = 150
BAR_HEIGHT = 34


class Point(msgspec.Struct, frozen=True):
    """One value on a chart: a rate in [0, 1] or None, with what to write beside it."""

    label: str
    rate: float | None
    note: str = ""
    suppressed: bool = False


class Line(msgspec.Struct, frozen=True):
    title: str
    points: list[Point]


def rates_over_time(title: str, lines: list[Line]) -> str:
    """One panel per look-for: its rate at each point in time, joined by a line."""
    if not lines or not any(line.points for line in lines):
        return _svg(title, 80, [_text(16, 56, "Nothing observed yet.", fill=MUTED)])
    parts: list[str] = []
    y = 40
    for line in lines:
        parts.extend(_panel(line, y))
        y += PANEL_HEIGHT
    return _svg(title, y + 10, parts)


def _panel(line: Line, top: int) -> list[str]:
    left, right = 60, WIDTH - 30
    plot_top, plot_bottom = top + 44, top + PANEL_HEIGHT - 36
    parts = [_text(16, top + 16, line.title, weight="600")]
    for share in (0.0, 0.5, 1.0):
        y = plot_bottom - share * (plot_bottom - plot_top)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(_text(left - 8, y + 5, f"{share:.0%}", size=13, anchor="end",
                           fill=MUTED))
    count = len(line.points)
    if not count:
        parts.append(_text((left + right) / 2, (plot_top + plot_bottom) / 2, "not observed",
                           size=13, anchor="middle", fill=MUTED))
    step = (right - left - 140) / max(count - 1, 1)
    coords: list[tuple[float, float]] = []
    for index, point in enumerate(line.points):
        x = left + 70 + index * step if count > 1 else (left + right) / 2
        parts.append(_text(x, plot_bottom + 22, point.label, size=13, anchor="middle",
                           fill=MUTED))
        if point.rate is None:
            word = "suppressed" if point.suppressed else "not observed"
            parts.append(_text(x, (plot_top + plot_bottom) / 2, word, size=12,
                               anchor="middle", fill=MUTED))
            if point.suppressed and point.note:  # why: too few rooms for a figure
                parts.append(_text(x, (plot_top + plot_bottom) / 2 + 16, point.note,
                                   size=12, anchor="middle", fill=MUTED))
            continue
        y = plot_bottom - point.rate * (plot_bottom - plot_top)
        coords.append((x, y))
        label = f"{point.rate:.0%}" + (f" ({point.note})" if point.note else "")
        parts.append(_text(x, y - 9, label, size=13, anchor="middle"))
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{ACCENT}" '
                     'stroke-width="3"/>')
    parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{ACCENT}"/>'
                 for x, y in coords)
    return parts


def bars(title: str, points: list[Point]) -> str:
    """One horizontal bar per look-for, its rate written beside it."""
    if not points:
        return _svg(title, 80, [_text(16, 56, "Nothing observed yet.", fill=MUTED)])
    parts: list[str] = []
    left, right = LABEL_WIDTH, WIDTH - 150
    y = 44
    for point in points:
        parts.append(_text(left - 10, y + BAR_HEIGHT / 2 + 5, _clip(point.label, 32),
                           size=14, anchor="end"))
        parts.append(f'<rect x="{left}" y="{y + 4}" width="{right - left}" '
                     f'height="{BAR_HEIGHT - 8}" fill="{GRID}"/>')
        if point.rate is not None:
            width = max(point.rate * (right - left), 1)
            parts.append(f'<rect x="{left}" y="{y + 4}" width="{width:.1f}" '
                         f'height="{BAR_HEIGHT - 8}" fill="{ACCENT}"/>')
            value = f"{point.rate:.0%}" + (f" ({point.note})" if point.note else "")
        else:
            value = "suppressed" if point.suppressed else "not observed"
            if point.suppressed and point.note:  # why, written across the empty bar
                parts.append(_text(left + 8, y + BAR_HEIGHT / 2 + 5, point.note, size=13,
                                   fill=INK))
        parts.append(_text(right + 8, y + BAR_HEIGHT / 2 + 5, value, size=14))
        y += BAR_HEIGHT
    return _svg(title, y + 16, parts)


def _svg(title: str, height: float, parts: list[str]) -> str:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
            f'width="{WIDTH}" height="{height:.0f}" role="img" aria-label="{escape(title)}" '
            f'font-family="{escape(FONT)}" class="chart">')
    return "".join([head, f"<title>{escape(title)}</title>",
                    _text(16, 24, title, size=18, weight="700"), *parts, "</svg>"])


def _text(x: float, y: float, text: str, *, size: int = 15, anchor: str = "start",
          fill: str = INK, weight: str = "400") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>')


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
