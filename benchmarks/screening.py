"""How well the free-text screens tell names from ordinary words, measured.

    python -m benchmarks.screening

Builds a school roster from tests/cases/staff_roster.txt (a few hundred staff names,
many also ordinary words: Will, May, Young, Rose, Hall, Long, Grant...) and prints:

- the share of notes naming one of them that is refused (every roster person, in the
  ways a coach writes a name: "Lopez asked...", "in Hall's room", "Will Grant
  modelled...", "we talked with Young", with look-alike letters or a zero-width space);
- the share of ordinary evidence notes (tests/cases/evidence_notes.txt) refused by
  any screen: the title rule, the singling-out rule and the roster (false refusals);
- for information, the share of lowercase mentions of a name alone that is refused
  ("young asked..."): only names that are not ordinary words are found there; and the
  notes left out of the first figure, where a surname that is also a pronoun starts
  the note ("He asked..."), which the screen lets through as the pronoun it reads as.

tests/unit/test_screening_rates.py holds the same figures to their bounds (every
naming note refused, under 1 % of ordinary notes).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from walkthrough.errors import DomainError
from walkthrough.names import FUNCTION_WORDS, Roster, roster_key, screen

CASES = Path(__file__).parents[1] / "tests" / "cases"
KEY = roster_key(b"the screening benchmark's deployment secret")
# Look-alikes a coach could paste to slip a name past the screen (Cyrillic, Greek).
LOOKALIKE = str.maketrans({"a": "\u0430", "e": "\u0435", "o": "\u043e", "i": "\u0456",
                           "c": "\u0441", "p": "\u0440"})


def lines(name: str) -> list[str]:
    text = (CASES / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def staff() -> list[tuple[str, str]]:
    """The roster's people as (given name, family name)."""
    return [(name.rsplit(" ", 1)[0], name.rsplit(" ", 1)[1]) for name in lines(
        "staff_roster.txt")]


def naming_notes(given: str, family: str) -> list[str]:
    """Notes that name one person, as coaches write them."""
    disguised = family[0] + family[1:].translate(LOOKALIKE)
    hidden = family[:2] + "\u200b" + family[2:]
    return [
        f"{family} asked the class to turn and talk",
        f"Students in {family}'s room compared answers",
        f"{given} {family} modelled the first problem",
        f"We talked with {family} about pacing after the lesson",
        f"{family}'s class used whiteboards for every problem",
        f"{given} circulated while students worked",
        f"Exit tickets were collected by {family} at the door",
        f"After the warm-up {disguised} asked why",
        f"After the warm-up {hidden} asked why",
    ]


def ambiguous(note: str, given: str, family: str) -> bool:
    """A note whose only name is a pronoun or another function word starting a sentence
    ("He asked...", "He's class..."): English cannot tell it from a pronoun, so the
    screen lets it through (walkthrough.names.FUNCTION_WORDS)."""
    return family.lower() in FUNCTION_WORDS and note.startswith((family + " ",
                                                                  family + "'s "))


def lowercase_notes(given: str, family: str) -> list[str]:
    return [f"{family.lower()} asked the class to turn and talk"]


def refusal(text: str, roster: Roster | None) -> str | None:
    """The code `text` is refused with, or None."""
    try:
        screen({"text": text}, roster)
    except DomainError as refused:
        return refused.code
    return None


def refused(text: str, roster: Roster | None) -> bool:
    return refusal(text, roster) is not None


@dataclass(frozen=True)
class Figures:
    roster_names: int
    naming_notes: int
    naming_refused: int
    pronoun_notes: int  # "He asked..." where "He" is a roster surname: let through
    pronoun_refused: int
    ordinary_notes: int
    ordinary_refused: list[str]
    lowercase_notes: int
    lowercase_refused: int

    @property
    def naming_rate(self) -> float:
        return self.naming_refused / self.naming_notes

    @property
    def false_refusal_rate(self) -> float:
        return len(self.ordinary_refused) / self.ordinary_notes


def measure() -> Figures:
    people = staff()
    roster = Roster.from_names([f"{g} {f}" for g, f in people], KEY)
    naming = [note for g, f in people for note in naming_notes(g, f)
              if not ambiguous(note, g, f)]
    pronouns = [note for g, f in people for note in naming_notes(g, f) if ambiguous(note, g, f)]
    lowercase = [note for g, f in people for note in lowercase_notes(g, f)]
    ordinary = lines("evidence_notes.txt")
    return Figures(
        roster_names=len(people),
        naming_notes=len(naming),
        naming_refused=sum(refused(note, roster) for note in naming),
        pronoun_notes=len(pronouns),
        pronoun_refused=sum(refused(note, roster) for note in pronouns),
        ordinary_notes=len(ordinary),
        ordinary_refused=[note for note in ordinary if refused(note, roster)],
        lowercase_notes=len(lowercase),
        lowercase_refused=sum(refused(note, roster) for note in lowercase))


def main() -> None:
    figures = measure()
    print(f"roster: {figures.roster_names} staff names")
    print(f"notes naming a person refused: {figures.naming_refused} of "
          f"{figures.naming_notes} ({figures.naming_rate:.1%})")
    print(f"ordinary notes refused: {len(figures.ordinary_refused)} of "
          f"{figures.ordinary_notes} ({figures.false_refusal_rate:.1%})")
    roster = Roster.from_names([f"{g} {f}" for g, f in staff()], KEY)
    for note in figures.ordinary_refused:
        print(f"  refused ({refusal(note, roster)}): {note}")
    print("ordinary notes refused without a roster (titles, singling out): "
          f"{sum(refused(note, None) for note in lines('evidence_notes.txt'))}")
    print(f"a surname that is a pronoun starting the note (He asked...), refused: "
          f"{figures.pronoun_refused} of {figures.pronoun_notes}")
    print(f"lowercase name alone refused (information): {figures.lowercase_refused} of "
          f"{figures.lowercase_notes}")


if __name__ == "__main__":
    main()
