"""JSON responses encoded with msgspec; personal data is never cached."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from starlette.responses import Response

_encoder = msgspec.json.Encoder()
NO_STORE = {"Cache-Control": "no-store"}


class JSON(Response):
    media_type = "application/json"

    def __init__(self, content: Any, status_code: int = 200,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(_encoder.encode(content), status_code,
                         {**NO_STORE, **(headers or {})})


def error_response(status: int, code: str, message: str,
                   headers: Mapping[str, str] | None = None) -> Response:
    return JSON({"error": {"code": code, "message": message}}, status, headers)
