"""The debrief agenda: describe -> root causes -> next steps, progress first.

Seven sections, always in this order, always present (empty when there is
nothing yet): progress, school_update, bright_spots, trends, root_causes,
next_steps, check_ins.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from projections.summary import ItemTrend, Summary

BRIGHT_RATE = 0.75
WEAK_RATE = 0.5
CHECK_IN_WEEKS = 4
MAX_PROMPTS = 3


def agenda(summary: Summary, *, school_update: str | None, focus: str,
           visit_date: date) -> list[dict[str, Any]]:
    return [
        {"kind": "progress", "steps": []},
        {"kind": "school_update", "text": school_update},
        {"kind": "bright_spots", "items": [
            {"key": t.key, "prompt": t.prompt, "summary": t.seen_in}
            for t in summary.items if _is_bright(t)]},
        {"kind": "trends", "items": summary.items, "evidence": summary.evidence},
        {"kind": "root_causes", "prompts": root_cause_prompts(summary.items, focus),
         "noted": []},
        {"kind": "next_steps", "steps": []},
        {"kind": "check_ins", "schedule": [
            {"due": (visit_date + timedelta(weeks=week)).isoformat()}
            for week in range(1, CHECK_IN_WEEKS + 1)]},
    ]


def _is_bright(trend: ItemTrend) -> bool:
    return trend.rate is not None and trend.rate >= BRIGHT_RATE and trend.rooms_observed >= 2


def root_cause_prompts(items: list[ItemTrend], focus: str) -> list[dict[str, str]]:
    """Questions about the weakest look-fors, those named in the focus first."""
    weak = [t for t in items if t.rate is not None and t.rate < WEAK_RATE]
    focus_words = set(focus.lower().replace("-", " ").split())

    def in_focus(trend: ItemTrend) -> bool:
        words = set(trend.prompt.lower().split()) | {trend.key}
        return bool(words & focus_words - {"and", "the", "of", "in", "a", "to"})

    weak.sort(key=lambda t: (not in_focus(t), t.rate, t.key))
    return [
        {"key": t.key,
         "question": f"'{t.prompt}': {t.seen_in}. What in the school's systems "
                     "(planning, professional learning, expectations, materials, time) "
                     "could explain this pattern across rooms?"}
        for t in weak[:MAX_PROMPTS]
    ]
