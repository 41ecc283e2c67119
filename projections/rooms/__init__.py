"""A visit's rooms as read models, folded at a constant cost per event.

- `documents`: what is stored (entries, merges, room logs, quotes), ids and codecs;
- `partition`: which classroom ids are one room (labels and merges), and the room;
- `record`: what a room event changes in the record of rooms, and which rooms;
- `fold`: one visit's rooms while the projector folds, and the visit's tallies.

Which classroom ids are one room, and what a room contributes to a look-for's
trend, are the domain's rules (walkthrough.consensus). The names below are the
package's public surface for the other read models.
"""

from projections.rooms.documents import (
    ENTRIES,
    MAX_ROOMS,
    QUOTE,
    ROOM,
    ROOMS,
    OwnClassroom,
    Quote,
    Room,
    RoomIndex,
    RoomLog,
    assemble_index,
    load_index,
    log_decoder,
    own_classrooms,
    quote_decoder,
    room_doc_id,
)
from projections.rooms.fold import VisitRooms
from projections.rooms.partition import rooms_of
from projections.rooms.record import RoomRecord

__all__ = ["ENTRIES", "MAX_ROOMS", "QUOTE", "ROOM", "ROOMS", "OwnClassroom", "Quote", "Room",
           "RoomIndex", "RoomLog", "RoomRecord", "VisitRooms", "assemble_index", "load_index",
           "log_decoder", "own_classrooms", "quote_decoder", "room_doc_id", "rooms_of"]
