"""A person's private calendar feed address: the token in it is an HMAC of the person and
how many times they reset it, so a reset makes every older address stop working."""

from __future__ import annotations

import base64
import hashlib
import hmac

from walkthrough.district import District
from web.composition.bootstrap import Services


def feed_token(key: bytes, user_id: str, resets: int) -> str:
    mac = hmac.new(key, f"{user_id}\0{resets}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode().rstrip("=")


def feed_url(found: Services, district: District, user_id: str, origin: str) -> str:
    token = feed_token(found.feed_key, user_id, district.feed_resets.get(user_id, 0))
    return f"{origin}/api/calendar/feed/{user_id}/{token}.ics"
