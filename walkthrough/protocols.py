"""Meeting protocols a Critical Friends Group or a network runs over a presenter's
dilemma or work: a small built-in set, each shown to the facilitator step by step with
its timing. Built in (not published on the log): a meeting names one by its key.

Timings follow the common published versions (School Reform Initiative), fitted into
the 90 minutes of a monthly meeting with time left for progress and next steps.
"""

from __future__ import annotations

import msgspec

from walkthrough.errors import DomainError


class ProtocolStep(msgspec.Struct, frozen=True):
    title: str
    minutes: int
    prompt: str


class Protocol(msgspec.Struct, frozen=True):
    key: str
    name: str
    purpose: str
    needs_presenter: bool
    steps: tuple[ProtocolStep, ...]

    @property
    def minutes(self) -> int:
        return sum(step.minutes for step in self.steps)


PROTOCOLS: dict[str, Protocol] = {p.key: p for p in (
    Protocol(
        key="consultancy", name="Consultancy",
        purpose="Think together about a presenter's dilemma of leadership practice.",
        needs_presenter=True, steps=(
            ProtocolStep("Presentation", 10, "The presenter describes the dilemma and "
                         "frames one focus question for the group."),
            ProtocolStep("Clarifying questions", 5, "Brief, factual questions with short "
                         "answers: who, what, when, how many."),
            ProtocolStep("Probing questions", 10, "Open questions that help the presenter "
                         "think more deeply; the presenter answers or lets them sit."),
            ProtocolStep("Discussion", 15, "The group talks about the dilemma while the "
                         "presenter listens silently and takes notes."),
            ProtocolStep("Presenter's response", 5, "The presenter says what struck them "
                         "and what they now think about the focus question."),
            ProtocolStep("Debrief", 5, "How did the protocol go? What would help next time?"),
        )),
    Protocol(
        key="tuning", name="Tuning",
        purpose="Give warm and cool feedback on a piece of work: a plan, a PLC agenda, "
                "a feedback conversation's notes.",
        needs_presenter=True, steps=(
            ProtocolStep("Presentation", 10, "The presenter shares the work, its context "
                         "and the question the group should tune it for."),
            ProtocolStep("Clarifying questions", 5, "Brief, factual questions."),
            ProtocolStep("Examining the work", 10, "Everyone reads or looks at the work "
                         "silently, noting warm and cool feedback."),
            ProtocolStep("Warm and cool feedback", 15, "What works toward the goal, then "
                         "possible gaps; the presenter listens silently."),
            ProtocolStep("Reflection", 5, "The presenter responds to what they choose."),
            ProtocolStep("Debrief", 5, "How did the protocol go?"),
        )),
    Protocol(
        key="success_analysis", name="Success analysis",
        purpose="When no one brings a dilemma: study what worked, so it can be repeated.",
        needs_presenter=False, steps=(
            ProtocolStep("Write", 5, "Each member writes down one success of the month "
                         "and what made it work."),
            ProtocolStep("Share in turns", 20, "Each member tells their success; the others "
                         "ask one clarifying question."),
            ProtocolStep("Look for patterns", 15, "What do these successes have in common? "
                         "What conditions made them possible?"),
            ProtocolStep("Apply", 10, "Which of these conditions can each of us build on "
                         "before the next meeting?"),
            ProtocolStep("Debrief", 5, "How did the protocol go?"),
        )),
)}


def protocol(key: str) -> Protocol:
    try:
        return PROTOCOLS[key]
    except KeyError:
        raise DomainError(f"unknown protocol {key!r}; one of {', '.join(PROTOCOLS)}",
                          code="unknown_protocol") from None
