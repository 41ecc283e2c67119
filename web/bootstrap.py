"""Composition root: builds the application, read models, projector, tokens, sign-in
links, staff rosters, the pseudonymiser and the rate limits, once, from the settings."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from dataclasses import dataclass

from projections.projector import Projector
from projections.pseudonyms import Pseudonymiser, configured_secret
from projections.store import ReadModelStore
from walkthrough.adapters.refusal_counts import RefusalCounts
from walkthrough.adapters.roster_store import RosterStore
from walkthrough.adapters.signin_links import SignInLinkStore
from walkthrough.adapters.tokens import TokenStore
from walkthrough.application import Clock, Walkthrough, utc_now
from walkthrough.names import roster_key
from web.buckets import TokenBuckets
from web.settings import Settings
from web.storage import Storage, storage_for

FEED_KEY_CONTEXT = b"walkthrough calendar feeds v1"


@dataclass
class Services:
    settings: Settings
    app: Walkthrough
    read_models: ReadModelStore
    projector: Projector
    tokens: TokenStore
    roster: RosterStore
    signin_links: SignInLinkStore
    storage: Storage
    pseudonyms: Pseudonymiser
    sync_limit: TokenBuckets | None  # sync requests per token (None: no limit)
    signin_limit: TokenBuckets | None  # refused sign-in links per address
    refusals: RefusalCounts  # how often each rule refused something (counts only)
    feed_key: bytes  # signs the addresses of people's calendar feeds
    clock: Clock = utc_now

    def close(self) -> None:
        self.app.close()


def bootstrap(settings: Settings, clock: Clock = utc_now) -> Services:
    """Open the store the settings name, creating its tables if they are missing."""
    storage = storage_for(settings)
    with storage.startup():
        app = Walkthrough(storage.app_env(), clock=clock)
        with contextlib.ExitStack() as close_on_error:
            close_on_error.callback(app.close)
            read_models = storage.read_models(app)
            tokens = storage.tokens(app)
            secret = (configured_secret(settings.pseudonym_secret)
                      if settings.pseudonym_secret else storage.secret(app))
            roster = storage.roster(app, roster_key(secret))
            app.use_rosters(roster.roster)
            app.use_time_zone(settings.zone)
            signin_links = storage.signin_links(app, tokens)
            refusals = storage.refusals(app)
            close_on_error.pop_all()
    return Services(
        settings=settings, app=app, read_models=read_models,
        projector=Projector(app, read_models), tokens=tokens, roster=roster,
        signin_links=signin_links, storage=storage, pseudonyms=Pseudonymiser(secret),
        feed_key=hmac.new(secret, FEED_KEY_CONTEXT, hashlib.sha256).digest(),
        sync_limit=_limit(settings.sync_rate_per_minute, settings.sync_burst),
        signin_limit=_limit(settings.signin_failures_per_minute,
                            settings.signin_failure_burst),
        clock=clock, refusals=refusals)


def _limit(per_minute: int, burst: int) -> TokenBuckets | None:
    return TokenBuckets(per_minute, burst) if per_minute > 0 else None
