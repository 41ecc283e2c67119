"""Hypothesis strategies derived from the msgspec schemas, so every event type
(including ones added later) is covered without hand-written builders."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from hypothesis import strategies as st

from walkthrough.events import PAYLOAD_TYPES, Event, Payload

utc_datetimes = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)


def from_type_info(info: msgspec.inspect.Type) -> st.SearchStrategy[Any]:
    ins = msgspec.inspect
    if isinstance(info, ins.StrType):
        if info.pattern:
            return st.from_regex(info.pattern, fullmatch=True)
        return st.text(min_size=info.min_length or 0, max_size=min(info.max_length or 50, 50))
    if isinstance(info, ins.BoolType):
        return st.booleans()
    if isinstance(info, ins.IntType):
        low = info.ge if info.ge is not None else -(2**31)
        high = info.le if info.le is not None else 2**31
        return st.integers(min_value=low, max_value=high)
    if isinstance(info, ins.FloatType):
        return st.floats(
            min_value=info.ge if info.ge is not None else info.gt,
            max_value=info.le if info.le is not None else info.lt,
            exclude_min=info.gt is not None, exclude_max=info.lt is not None,
            allow_nan=False, allow_infinity=False)
    if isinstance(info, ins.NoneType):
        return st.none()
    if isinstance(info, ins.LiteralType):
        return st.sampled_from(info.values)
    if isinstance(info, ins.UnionType):
        return st.one_of(*[from_type_info(t) for t in info.types])
    if isinstance(info, ins.UUIDType):
        return st.uuids()
    if isinstance(info, ins.DateType):
        return st.dates()
    if isinstance(info, ins.DateTimeType):
        return utc_datetimes
    if isinstance(info, ins.TimeType):
        return st.times()
    if isinstance(info, (ins.VarTupleType, ins.ListType)):
        items = st.lists(from_type_info(info.item_type), min_size=info.min_length or 0,
                         max_size=min(info.max_length or 5, 5))
        return items.map(tuple) if isinstance(info, ins.VarTupleType) else items
    if isinstance(info, ins.DictType):
        return st.dictionaries(from_type_info(info.key_type), from_type_info(info.value_type),
                               max_size=3)
    if isinstance(info, ins.StructType):
        return st.fixed_dictionaries(
            {f.name: from_type_info(f.type) for f in info.fields if f.required},
            optional={f.name: from_type_info(f.type) for f in info.fields if not f.required},
        ).map(lambda fields: info.cls(**fields))
    raise NotImplementedError(f"no strategy for {info!r}")


def payloads(cls: type[Payload]) -> st.SearchStrategy[Payload]:
    return from_type_info(msgspec.inspect.type_info(cls))


any_payload = st.one_of(*[payloads(cls) for cls in PAYLOAD_TYPES.values()])

events = st.builds(
    Event,
    originator_id=st.uuids(),
    originator_version=st.integers(min_value=1, max_value=10**6),
    timestamp=utc_datetimes,
    event_id=st.uuids().map(str),  # canonical UUID text, as decoded from a client
    actor=st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True),
    device_id=st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True),
    occurred_at=utc_datetimes,
    catalog_version=st.none() | st.integers(min_value=1, max_value=9),
    payload=any_payload,
)
