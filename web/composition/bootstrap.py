"""Composition root: builds the application, read models, projector, tokens, sign-in
links, staff rosters, the pseudonymiser and the rate limits, once, from the settings."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from dataclasses import dataclass, field

from projections.projector import Projector
from projections.pseudonyms import Pseudonymiser, configured_secret
from projections.store import ReadModelStore
from walkthrough.adapters.refusal_counts import RefusalCounts
from walkthrough.adapters.roster_store import RosterStore
from walkthrough.adapters.signin_links import SignInLinkStore
from walkthrough.adapters.tokens import TokenStore
from walkthrough.application import Clock, Walkthrough, utc_now
from walkthrough.names import roster_key
from web.composition.catchup import Catchup
from web.composition.mail import Mail, MailSender, SmtpSender
from web.composition.settings import Settings
from web.composition.storage import AnyStorage, storage_for
from web.http.buckets import TokenBuckets
from web.http.caller_cache import CallerCache

LINKS_PER_MINUTE = 2
LINKS_BURST = 60
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
    storage: AnyStorage
    pseudonyms: Pseudonymiser
    sync_limit: TokenBuckets | None  # sync requests per token (None: no limit)
    signin_limit: TokenBuckets | None  # refused sign-in links per address
    mail: Mail
    session_secret: str  # signs the short-lived OpenID sign-in cookie (from the secret)
    # Sign-in emails asked for, per address and per client address (None: no limit).
    signin_email_per_address: TokenBuckets | None
    signin_email_per_client: TokenBuckets | None
    refusals: RefusalCounts  # how often each rule refused something (counts only)
    feed_key: bytes  # signs the addresses of people's calendar feeds
    clock: Clock = utc_now
    callers: CallerCache = field(default_factory=CallerCache)  # tokens resolved recently
    # sign-in links an organizer makes (a stolen organizer token cannot mint links
    # without bound); links for a whole school at once still fit in the burst
    link_limit: TokenBuckets = field(default_factory=lambda: TokenBuckets(
        LINKS_PER_MINUTE, LINKS_BURST))
    catchup: Catchup = field(init=False)  # folds new events off the request path

    def __post_init__(self) -> None:
        self.catchup = Catchup(self.projector)

    def close(self) -> None:
        self.catchup.stop()
        self.app.close()


def bootstrap(settings: Settings, clock: Clock = utc_now) -> Services:
    """Open the store the settings name, creating its tables if they are missing."""
    storage = storage_for(settings)
    with storage.startup():
        app = Walkthrough(storage.app_env(), clock=clock)
        with contextlib.ExitStack() as close_on_error:
            close_on_error.callback(app.close)
            read_models = storage.read_models(app)
            tokens, signin_links = storage.tokens_and_links(app)
            secret = (configured_secret(settings.pseudonym_secret)
                      if settings.pseudonym_secret else storage.secret(app))
            roster = storage.roster(app, roster_key(secret))
            app.use_rosters(roster.roster, roster.budget)
            app.use_time_zone(settings.zone)
            mail_queue = storage.mail_queue(app)
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
        signin_email_per_address=_hourly(settings.signin_emails_per_address_per_hour),
        signin_email_per_client=_hourly(settings.signin_emails_per_client_per_hour),
        session_secret=hmac.new(secret, b"walkthrough sign-in session",
                                hashlib.sha256).hexdigest(),
        mail=Mail(mail_queue, _mail_sender(settings), clock,
                  str(settings.smtp) if settings.smtp else None),
        clock=clock, refusals=refusals)


def _hourly(per_hour: int) -> TokenBuckets | None:
    return TokenBuckets(per_hour / 60, per_hour) if per_hour > 0 else None


def _mail_sender(settings: Settings) -> MailSender | None:
    """The SMTP sender when both the server and the sender address are set."""
    location = settings.smtp
    if location is None or not settings.mail_from:
        return None
    return SmtpSender(location, settings.mail_from)


def _limit(per_minute: int, burst: int) -> TokenBuckets | None:
    return TokenBuckets(per_minute, burst) if per_minute > 0 else None
