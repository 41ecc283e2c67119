"""The debrief agenda: describe -> root causes -> next steps, progress first.

Seven sections, always in this order, always present (empty when there is
nothing yet): progress, school_update, bright_spots, trends, root_causes,
next_steps, check_ins.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from projections.action_plans import PlanStep
from projections.summary import ItemTrend, Summary
from projections.visit_view import VisitView, active_steps
from walkthrough.visit import MAX_STEPS

BRIGHT_RATE = 0.75
WEAK_RATE = 0.5
CHECK_IN_WEEKS = 4
MAX_PROMPTS = 3


def agenda(view: VisitView, summary: Summary, progress: list[PlanStep]) -> list[dict[str, Any]]:
    steps = active_steps(view)
    agreed = any(step.agreed for step in steps)
    root_causes = sorted(view.root_causes, key=lambda r: (r.occurred_at, r.event_id))
    start = view.agreed_on or view.date
    return [
        {"kind": "progress", "steps": progress, "counts": _status_counts(progress)},
        {"kind": "school_update", "text": view.school_update},
        {"kind": "bright_spots", "items": [
            {"key": t.key, "prompt": t.prompt, "summary": t.seen_in}
            for t in summary.items if _is_bright(t)]},
        {"kind": "trends", "items": summary.items, "evidence": summary.evidence,
         "evidence_count": summary.evidence_count,
         "calibration": calibration_prompts(summary.items)},
        {"kind": "root_causes", "prompts": root_cause_prompts(summary.items, view.focus),
         "noted": [{"text": r.text, "item": r.item, "by": r.by} for r in root_causes]},
        {"kind": "next_steps", "agreed": agreed, "max_steps": MAX_STEPS, "steps": [
            {"step_id": s.step_id, "text": s.text, "owner": s.owner, "due": s.due,
             "success": s.success, "agreed": s.agreed} for s in steps]},
        {"kind": "check_ins", "cadence": "weekly", "from": start, "schedule": [
            {"week": week, "due": (start + timedelta(weeks=week)).isoformat()}
            for week in range(1, CHECK_IN_WEEKS + 1)]},
    ]


def _status_counts(steps: list[PlanStep]) -> dict[str, int]:
    counts = {"done": 0, "on_track": 0, "at_risk": 0, "not_started": 0, "overdue": 0}
    for step in steps:
        counts[step.status] += 1
        counts["overdue"] += step.overdue
    return counts


def _is_bright(trend: ItemTrend) -> bool:
    return trend.rate is not None and trend.rate >= BRIGHT_RATE and trend.rooms_observed >= 2


def calibration_prompts(items: list[ItemTrend]) -> list[dict[str, Any]]:
    """Where the team saw a look-for differently in a room: a question for the team.
    Differences are about the observers, not the teacher, so they are asked about even
    when the look-for has too few rooms for a rate."""
    return [
        {"key": t.key, "prompt": t.prompt, "differed": t.differed,
         "rooms_observed": t.rooms_observed,
         "question": f"You saw '{t.prompt.lower()}' differently in {t.differed} of "
                     f"{t.rooms_observed} room{'s' * (t.rooms_observed != 1)} - what did "
                     "each of you see?"}
        for t in items if t.differed
    ]


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
