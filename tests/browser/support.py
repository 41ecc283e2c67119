"""Helpers for reading the server's visit summary in browser tests."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page


def unique(prefix: str) -> str:
    """A label or note no other test (on the shared server) uses."""
    return f"{prefix} {uuid.uuid4().hex[:6]}"


def item(summary: dict[str, Any], key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(i for i in summary["items"] if i["key"] == key)
    return found


def count(summary: dict[str, Any], key: str, value: str | int) -> int:
    return int(item(summary, key)["counts"].get(str(value), 0))


def method_count(summary: dict[str, Any], key: str, method: str) -> int:
    return int(item(summary, key).get("methods", {}).get(method, 0))


def grew(before: dict[str, Any], after: dict[str, Any], key: str, value: str | int) -> int | None:
    """How much a look-for's count grew between two summaries, or None when either
    withholds it (fewer agreed rooms than the minimum: no figure at all)."""
    if item(before, key).get("suppressed") or item(after, key).get("suppressed"):
        return None
    return count(after, key, value) - count(before, key, value)


def own_taps(server_visit: dict[str, Any], label: str) -> dict[str, Any]:
    """A coach's latest tap per look-for in their room `label` (GET /api/visits/{id}'s `mine`)."""
    [room] = [room for room in server_visit["mine"] if room["label"] == label]
    latest: dict[str, Any] = {}
    for tap in room["taps"]:
        latest[tap["item"]] = (tap["value"], tap["method"])
    return latest


def evidence_count(summary: dict[str, Any], text: str) -> int:
    return sum(1 for quote in summary["evidence"] if quote["text"] == text)


# Text whose colour contrast with its background is under WCAG AA (4.5:1, 3:1 if large).
CONTRAST_PROBLEMS = """() => {
    const parse = (c) => {
        const m = c.match(/rgba?\\(([^)]+)\\)/);
        if (!m) return null;
        const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
        return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const lum = ({ r, g, b }) => {
        const f = (c) => {
            c /= 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
        for (let e = el; e; e = e.parentElement) {
            const c = parse(getComputedStyle(e).backgroundColor);
            if (c && c.a > 0.5) return c;
        }
        return { r: 255, g: 255, b: 255, a: 1 };
    };
    const problems = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        const el = node.parentElement;
        if (!node.textContent.trim() || !el || el.closest('[hidden], button:disabled')) continue;
        const box = el.getBoundingClientRect();
        if (box.width <= 1 || box.height <= 1 || el.offsetParent === null) continue;
        const style = getComputedStyle(el);
        const l1 = lum(parse(style.color));
        const l2 = lum(background(el));
        const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
        const size = parseFloat(style.fontSize);
        const large = size >= 24 || (Number(style.fontWeight) >= 700 && size >= 18.66);
        if (ratio < (large ? 3 : 4.5)) {
            problems.push(`${node.textContent.trim().slice(0, 40)}: ${ratio.toFixed(2)}`);
        }
    }
    return problems;
}"""


# Visible controls smaller than a 44px touch target.
SMALL_TARGETS = """() => [...document.querySelectorAll(
        'main button, main input, main select, main textarea, main a.button-link, header button')]
    .filter((el) => el.offsetParent !== null)
    .map((el) => [el.dataset.testid || el.id || el.textContent.trim(), el.getBoundingClientRect()])
    .filter(([, box]) => box.width < 44 || box.height < 44)
    .map(([name, box]) => `${name}: ${Math.round(box.width)}x${Math.round(box.height)}`)"""


def overflow(page: Page) -> int:
    """How far the page scrolls sideways (0 or less: it does not)."""
    width: int = page.evaluate(
        "() => document.scrollingElement.scrollWidth - document.documentElement.clientWidth")
    return width
