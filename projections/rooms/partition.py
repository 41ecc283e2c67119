"""Which classroom ids of a visit are one room, and the room they make.

Classroom ids entered under the same label (case and spaces ignored) and ids the
team merged are one room; its details are settled by the domain's rule
(walkthrough.consensus).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from projections.rooms.documents import Room, RoomIndex
from walkthrough.consensus import label_key, settle


class Partition:
    """The rooms of a visit: classroom ids joined by a shared label (of a live
    statement) or a merge. Kept up to date one change at a time."""

    def __init__(self, index: RoomIndex) -> None:
        self.index = index
        self._keys: dict[str, set[str]] = {}  # classroom id -> its live label keys
        self._ids_of_key: dict[str, set[str]] = {}
        self._merged: dict[str, set[str]] = {}
        self._room_of: dict[str, str] = {}
        self._members: dict[str, list[str]] = {}
        for classroom_id in index.rooms:
            self.reindex(classroom_id)
        for a, b in index.merges:
            self.link(a, b)
        self.regroup(set(self._keys) | set(self._merged))

    def ids_with_label(self, label: str) -> set[str]:
        return set(self._ids_of_key.get(label_key(label), ()))

    def group(self, classroom_id: str) -> list[str]:
        """The classroom ids of the room `classroom_id` belongs to."""
        room_id = self._room_of.get(classroom_id)
        return self._members[room_id] if room_id is not None else [classroom_id]

    def groups(self) -> list[list[str]]:
        return [members for _, members in sorted(self._members.items())]

    def groups_of(self, classroom_ids: Iterable[str]) -> list[list[str]]:
        found: dict[str, list[str]] = {}
        for classroom_id in classroom_ids:
            members = self.group(classroom_id)
            found[members[0]] = members
        return [members for _, members in sorted(found.items())]

    def reindex(self, classroom_id: str) -> None:
        """Take in a change to the statements about `classroom_id`."""
        for key in self._keys.get(classroom_id, set()):
            self._ids_of_key[key].discard(classroom_id)
        keys = {label_key(s.label) for s in self.index.live(classroom_id).values()}
        self._keys[classroom_id] = keys
        for key in keys:
            self._ids_of_key.setdefault(key, set()).add(classroom_id)

    def link(self, a: str, b: str) -> None:
        self._merged.setdefault(a, set()).add(b)
        self._merged.setdefault(b, set()).add(a)

    def regroup(self, classroom_ids: set[str]) -> list[list[str]]:
        """Recompute the rooms made of `classroom_ids` (a union of whole rooms, before
        and after the change) and return them."""
        for classroom_id in classroom_ids:
            room_id = self._room_of.pop(classroom_id, None)
            if room_id is not None:
                self._members.pop(room_id, None)
        groups = []
        seen: set[str] = set()
        for start in sorted(classroom_ids):
            if start in seen:
                continue
            found = {start}
            frontier = [start]
            while frontier:
                current = frontier.pop()
                for key in self._keys.get(current, ()):
                    for other in self._ids_of_key[key]:
                        if other not in found:
                            found.add(other)
                            frontier.append(other)
                for other in self._merged.get(current, ()):
                    if other not in found:
                        found.add(other)
                        frontier.append(other)
            members = sorted(found)
            seen |= found
            for member in members:
                self._room_of[member] = members[0]
            self._members[members[0]] = members
            groups.append(members)
        return groups


def room_of(index: RoomIndex, members: Sequence[str]) -> Room | None:
    """The room made of classroom ids `members`, or None when no coach's entry of it
    is live."""
    statements = [(coach, s) for cid in members for coach, s in index.live(cid).items()]
    if not statements:
        return None
    present = [s.students_present for _, s in statements if s.students_present is not None]
    return Room(
        id=members[0], ids=list(members),
        label=settle((s.corrected("label"), s.label) for _, s in statements) or "",
        grade_band=settle((s.corrected("grade_band"), s.grade_band)
                          for _, s in statements) or "",
        subject=settle((s.corrected("subject"), s.subject) for _, s in statements) or "",
        students_present=max(present) if present else None,
        coaches=sorted({coach for coach, _ in statements}))


def rooms_of(index: RoomIndex) -> list[Room]:
    """Every room of a visit, by id."""
    found = (room_of(index, members) for members in Partition(index).groups())
    return [room for room in found if room is not None]
