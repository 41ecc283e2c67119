"""Read models built only from the event log; each can be dropped and rebuilt."""
