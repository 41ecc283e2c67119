"""SVG charts drawn on the server: rates over time (one small panel per look-for)
and bars per look-for. Plain SVG with presentation attributes only (no style or
script, so the pages' CSP holds), every number also written as text. A suppressed
value is drawn as the word "suppressed", never as a number or a bar.

Drawn for the width the page has (`width`, 320-720 CSS px), so it is shown at its
own size: no text under 13 px on a phone (390 px: one column, labels above their
bars, dates on two lines), as on a tablet.
"""

from __future__ import annotations

from html import escape

import msgspec

from projections.summary import percent_text

WIDTH = 720
LABEL_WIDTH = 250
FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif"
INK = "#1f2933"
MUTED = "#52606d"
GRID = "#d9e2ec"
ACCENT = "#0b4f8a"
PANEL_HEIGHT = 150
BAR_HEIGHT = 34
MIN_WIDTH = 320
NARROW = 560  # below this width: the phone layout
LINE = 17  # a line of 13-14 px text


class Point(msgspec.Struct, frozen=True):
    """One value on a chart: a rate in [0, 1] or None, with what to write beside it."""

    label: str
    rate: float | None
    note: str = ""
    suppressed: bool = False


class Line(msgspec.Struct, frozen=True):
    title: str
    points: list[Point]


def chart_width(requested: int | None) -> int:
    """The width to draw for: what the page asked for, within what the layouts hold."""
    return WIDTH if requested is None else max(MIN_WIDTH, min(WIDTH, requested))


def rates_over_time(title: str, lines: list[Line], width: int = WIDTH) -> str:
    """One panel per look-for: its rate at each point in time, joined by a line."""
    heading, y = _heading(title, width)
    if not lines or not any(line.points for line in lines):
        return _svg(title, y + 50, [*heading, _text(16, y + 26, "Nothing observed yet.",
                                                     fill=MUTED)], width)
    parts: list[str] = list(heading)
    for line in lines:
        if width < NARROW:
            panel, height = _narrow_panel(line, y, width)
            parts.extend(panel)
            y += height
        else:
            parts.extend(_panel(line, y, width))
            y += PANEL_HEIGHT
    return _svg(title, y + 10, parts, width)


def _narrow_panel(line: Line, top: float, width: int) -> tuple[list[str], float]:
    """A panel for a phone: the look-for's name on as many lines as it needs, then the
    plot; under each point its date on two lines, then the rooms behind it."""
    title = _wrap(line.title, (width - 32) // 8)
    parts = [_text(16, top + 16 + LINE * n, text, size=14, weight="600")
             for n, text in enumerate(title)]
    left, right = 48, width - 16
    plot_top = top + 16 + LINE * len(title) + 12
    plot_bottom = plot_top + 100
    for share in (0.0, 0.5, 1.0):
        y = plot_bottom - share * (plot_bottom - plot_top)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(_text(left - 6, y + 5, f"{share:.0%}", size=13, anchor="end", fill=MUTED))
    count = len(line.points)
    if not count:
        parts.append(_text((left + right) / 2, (plot_top + plot_bottom) / 2, "not observed",
                           size=13, anchor="middle", fill=MUTED))
    step = (right - left - 72) / max(count - 1, 1)
    coords: list[tuple[float, float]] = []
    for index, point in enumerate(line.points):
        x = left + 36 + index * step if count > 1 else (left + right) / 2
        for n, text in enumerate(_two_lines(point.label)):
            parts.append(_text(x, plot_bottom + 20 + LINE * n, text, size=13, anchor="middle",
                               fill=MUTED))
        below = plot_bottom + 20 + LINE * 2
        if point.rate is None:
            word = "suppressed" if point.suppressed else "not observed"
            parts.append(_text(x, (plot_top + plot_bottom) / 2, "\u2013", size=16, anchor="middle",
                               fill=MUTED))
            parts.append(_text(x, below, word if not point.suppressed else "too few",
                               size=13, anchor="middle", fill=MUTED))
            continue
        y = plot_bottom - point.rate * (plot_bottom - plot_top)
        coords.append((x, y))
        parts.append(_text(x, y - 9, percent_text(point.rate), size=14, anchor="middle",
                           weight="600"))
        if point.note:
            parts.append(_text(x, below, point.note, size=13, anchor="middle", fill=MUTED))
    parts.extend(_joined(coords))
    return parts, plot_bottom + 20 + LINE * 3 - top + 8


def _joined(coords: list[tuple[float, float]]) -> list[str]:
    parts = []
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{ACCENT}" '
                     'stroke-width="3"/>')
    parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{ACCENT}"/>'
                 for x, y in coords)
    return parts


def _panel(line: Line, top: float, width: int) -> list[str]:
    left, right = 60, width - 30
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
        label = percent_text(point.rate) + (f" ({point.note})" if point.note else "")
        parts.append(_text(x, y - 9, label, size=13, anchor="middle"))
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{ACCENT}" '
                     'stroke-width="3"/>')
    parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{ACCENT}"/>'
                 for x, y in coords)
    return parts


def bars(title: str, points: list[Point], width: int = WIDTH) -> str:
    """One horizontal bar per look-for, its rate written beside it (on a phone: the
    look-for's name above its bar, the rate at its end)."""
    heading, top = _heading(title, width)
    if not points:
        return _svg(title, top + 50, [*heading, _text(16, top + 26, "Nothing observed yet.",
                                                       fill=MUTED)], width)
    if width < NARROW:
        return _narrow_bars(title, points, width, heading, top)
    parts: list[str] = list(heading)
    left, right = LABEL_WIDTH, width - 150
    y = top + 4
    for point in points:
        parts.append(_text(left - 10, y + BAR_HEIGHT / 2 + 5, _clip(point.label, 32),
                           size=14, anchor="end"))
        parts.append(f'<rect x="{left}" y="{y + 4}" width="{right - left}" '
                     f'height="{BAR_HEIGHT - 8}" fill="{GRID}"/>')
        if point.rate is not None:
            filled = max(point.rate * (right - left), 1)
            parts.append(f'<rect x="{left}" y="{y + 4}" width="{filled:.1f}" '
                         f'height="{BAR_HEIGHT - 8}" fill="{ACCENT}"/>')
            value = percent_text(point.rate) + (f" ({point.note})" if point.note else "")
        else:
            value = "suppressed" if point.suppressed else "not observed"
            if point.suppressed and point.note:  # why, written across the empty bar
                parts.append(_text(left + 8, y + BAR_HEIGHT / 2 + 5, point.note, size=13,
                                   fill=INK))
        parts.append(_text(right + 8, y + BAR_HEIGHT / 2 + 5, value, size=14))
        y += BAR_HEIGHT
    return _svg(title, y + 16, parts, width)


def _narrow_bars(title: str, points: list[Point], width: int, heading: list[str],
                 top: float) -> str:
    parts = list(heading)
    left, right = 16, width - 16
    y = top + 8
    for point in points:
        if point.rate is not None:
            value = percent_text(point.rate) + (f" ({point.note})" if point.note else "")
        else:
            value = "suppressed" if point.suppressed else "not observed"
        label = _wrap(point.label, (right - left) // 8)
        for n, text in enumerate(label):
            parts.append(_text(left, y + 14 + LINE * n, text, size=14))
        y += LINE * len(label)
        parts.append(f'<rect x="{left}" y="{y + 4}" width="{right - left}" height="22" '
                     f'fill="{GRID}"/>')
        if point.rate is not None:
            parts.append(f'<rect x="{left}" y="{y + 4}" '
                         f'width="{max(point.rate * (right - left), 1):.1f}" height="22" '
                         f'fill="{ACCENT}"/>')
        y += 26
        parts.append(_text(right, y + 16, value, size=13, anchor="end"))
        if point.rate is None and point.suppressed and point.note:
            parts.append(_text(left, y + 16 + LINE, point.note, size=13, fill=INK))
            y += LINE
        y += 30
    return _svg(title, y + 8, parts, width)


def _heading(title: str, width: int) -> tuple[list[str], float]:
    """The chart's title, on as many lines as the width needs; and where the rest starts."""
    if width >= NARROW:
        return [_text(16, 24, title, size=18, weight="700")], 40
    lines = _wrap(title, (width - 32) // 9)
    return [_text(16, 22 + 21 * n, text, size=16, weight="700")
            for n, text in enumerate(lines)], 22 + 21 * len(lines)


def _wrap(text: str, chars: int) -> list[str]:
    """Words on lines of at most `chars` characters (a longer word keeps its own line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _two_lines(label: str) -> list[str]:
    """A date label on two lines ("Nov 20" / "2026"); a short one on one."""
    head, _, tail = label.rpartition(" ")
    return [head, tail] if head and len(label) > 8 else [label]


def _svg(title: str, height: float, parts: list[str], width: int = WIDTH) -> str:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
            f'width="{width}" height="{height:.0f}" role="img" aria-label="{escape(title)}" '
            f'font-family="{escape(FONT)}" class="chart">')
    return "".join([head, f"<title>{escape(title)}</title>", *parts, "</svg>"])


def _text(x: float, y: float, text: str, *, size: int = 15, anchor: str = "start",
          fill: str = INK, weight: str = "400") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>')


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
