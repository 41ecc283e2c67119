"""Conversation guides for the first conversations of a Leadership Learning Partnership:
what the pair talks about at conversation 1, 2, 3..., with the shared reading or
problem of each. Versioned like catalogs: version 1 is built in; an organizer edits
them by publishing the next version (ConversationGuidesPublished), and a conversation
names the version it followed. After the guided ones a pair chooses its own reading
or problem."""

from __future__ import annotations

from collections.abc import Mapping

from walkthrough.errors import DomainError
from walkthrough.events import ConversationGuide

BUILT_IN_GUIDES: tuple[ConversationGuide, ...] = (
    ConversationGuide(
        title="Our schools and what we want to learn",
        prompts=(
            "Describe your school: its students, its staff, what it is proud of.",
            "What leadership challenge takes most of your week right now?",
            "Which strength from your skill inventory could help your partner?",
            "What do you hope to learn from this partnership by the end of the semester?",
            "Agree how you work: the day and time, how you keep each other accountable.",
        )),
    ConversationGuide(
        title="A shared problem of practice",
        prompts=(
            "Bring one short reading or one problem you both face; summarise it in turns.",
            "What does this problem look like at each of your schools, in evidence?",
            "What have you tried, and what happened?",
            "What would show progress in two weeks?",
        )),
    ConversationGuide(
        title="Learning from each other's practice",
        prompts=(
            "Each brings an artefact of their leading: a PLC agenda, notes of a feedback "
            "conversation, a staff-meeting plan.",
            "Warm feedback first: what works toward the goal?",
            "Cool feedback: what might be missing?",
            "Plan the quarter's visit exchange: a visit at each school, the other on the team.",
        )),
)
GUIDE_VERSIONS: dict[int, tuple[ConversationGuide, ...]] = {1: BUILT_IN_GUIDES}


def guides(version: int,
           published: Mapping[int, tuple[ConversationGuide, ...]] | None = None
           ) -> tuple[ConversationGuide, ...]:
    found = GUIDE_VERSIONS.get(version) or (published or {}).get(version)
    if found is None:
        raise DomainError(f"conversation guides version {version} do not exist",
                          code="unknown_guides")
    return found


def guide_for(conversation: int, version: int,
              published: Mapping[int, tuple[ConversationGuide, ...]] | None = None
              ) -> ConversationGuide | None:
    """The guide of the n-th conversation (from 1), or None once the guided ones are over."""
    found = guides(version, published)
    return found[conversation - 1] if 1 <= conversation <= len(found) else None
