"""One-time sign-in links on every backend: made for a registered user and an origin,
redeemed once for a device token, refused when expired, used, revoked or opened on
another origin; concurrent redemptions of one code give exactly one token."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from psycopg.sql import SQL

from tests.conftest import FakeClock
from walkthrough.adapters.signin_links import (
    LINK_TTL,
    PostgresSignInLinkStore,
    Redeemed,
    SignInLinkStore,
    SQLiteSignInLinkStore,
    origin_of,
)
from walkthrough.adapters.tokens import TokenStore
from walkthrough.errors import DomainError, Gone, NotFound, Unauthorized

TABLET = "http://tablet.example:8000"


def code_of(url: str) -> str:
    prefix = f"{TABLET}/signin#code="
    assert url.startswith(prefix), url
    return url.removeprefix(prefix)


def refused(links: SignInLinkStore, code: str, clock: FakeClock,
            origin: str = TABLET) -> DomainError:
    with pytest.raises(DomainError) as caught:
        links.redeem(code, origin, clock())
    return caught.value


def test_a_link_signs_its_user_in_once_with_a_device_token(
    links: SignInLinkStore, tokens: TokenStore, clock: FakeClock
) -> None:
    link = links.make("coach1", TABLET + "/", clock())
    assert link.user_id == "coach1"
    assert link.expires_at == clock() + LINK_TTL == clock() + timedelta(minutes=15)
    code = code_of(link.url)
    assert len(code) >= 43  # 256 random bits, url-safe base64
    assert code.replace("-", "").replace("_", "").isalnum()

    redeemed = links.redeem(code, TABLET, clock())
    assert redeemed.user_id == "coach1"
    assert tokens.user_for(redeemed.token, clock()) == "coach1"

    again = refused(links, code, clock)
    assert isinstance(again, Gone)
    assert again.code == "link_used"
    assert again.message == ("This sign-in link was already used; each link works once - "
                             "ask for a new one")


def test_a_link_works_until_fifteen_minutes_after_it_was_made(
    links: SignInLinkStore, tokens: TokenStore, clock: FakeClock
) -> None:
    late = code_of(links.make("coach1", TABLET, clock()).url)
    in_time = code_of(links.make("coach1", TABLET, clock()).url)
    clock.advance(LINK_TTL - timedelta(seconds=1))
    assert links.redeem(in_time, TABLET, clock()).user_id == "coach1"
    clock.advance(timedelta(seconds=1))
    expired = refused(links, late, clock)
    assert isinstance(expired, Gone)
    assert expired.code == "link_expired"
    assert expired.message == "This sign-in link has expired; ask for a new one"
    assert tokens.revoke_all("coach1", clock()) == 1  # the expired link stored no token


def test_the_device_token_lives_as_long_as_asked(
    links: SignInLinkStore, tokens: TokenStore, clock: FakeClock
) -> None:
    code = code_of(links.make("coach1", TABLET, clock()).url)
    token = links.redeem(code, TABLET, clock(), token_ttl=timedelta(days=2)).token
    assert tokens.user_for(token, clock() + timedelta(days=1)) == "coach1"
    with pytest.raises(Unauthorized) as expired:
        tokens.user_for(token, clock() + timedelta(days=2))
    assert expired.value.code == "token_expired"


def test_a_link_opened_on_another_origin_is_refused_and_stays_usable(
    links: SignInLinkStore, clock: FakeClock
) -> None:
    code = code_of(links.make("coach1", "HTTP://Tablet.Example:8000", clock()).url)
    for elsewhere in ("http://127.0.0.1:8000", "https://tablet.example:8000",
                      "http://tablet.example", "http://evil.example:8000"):
        wrong = refused(links, code, clock, origin=elsewhere)
        assert isinstance(wrong, Unauthorized)
        assert wrong.code == "link_wrong_host"
        assert TABLET in wrong.message
    assert links.redeem(code, TABLET, clock()).user_id == "coach1"


def test_revoking_a_user_withdraws_their_unused_links_only(
    links: SignInLinkStore, tokens: TokenStore, clock: FakeClock
) -> None:
    used = code_of(links.make("coach1", TABLET, clock()).url)
    unused = [code_of(links.make("coach1", TABLET, clock()).url) for _ in range(2)]
    other = code_of(links.make("coach2", TABLET, clock()).url)
    token = links.redeem(used, TABLET, clock()).token

    assert tokens.revoke_all("coach1", clock()) == 1
    assert links.revoke_all("coach1", clock()) == 2
    assert links.revoke_all("coach1", clock()) == 0
    with pytest.raises(Unauthorized):
        tokens.user_for(token, clock())
    for code in unused:
        withdrawn = refused(links, code, clock)
        assert type(withdrawn) is Unauthorized
        assert withdrawn.code == "unauthorized"
        assert "withdrawn" in withdrawn.message
    assert refused(links, used, clock).code == "link_used"
    assert links.redeem(other, TABLET, clock()).user_id == "coach2"
    fresh = code_of(links.make("coach1", TABLET, clock()).url)  # made after the revocation
    assert links.redeem(fresh, TABLET, clock()).user_id == "coach1"


def test_links_are_for_registered_users_only(
    links: SignInLinkStore, tokens: TokenStore, people: set[str], clock: FakeClock
) -> None:
    with pytest.raises(NotFound) as unknown:
        links.make("nobody", TABLET, clock())
    assert unknown.value.code == "unknown_user"
    code = code_of(links.make("coach2", TABLET, clock()).url)
    people.discard("coach2")
    gone = refused(links, code, clock)
    assert type(gone) is Unauthorized
    assert gone.code == "unauthorized"
    people.add("coach2")
    assert links.redeem(code, TABLET, clock()).user_id == "coach2"  # not used up by it


def test_an_unknown_code_is_link_invalid(links: SignInLinkStore, clock: FakeClock) -> None:
    links.make("coach1", TABLET, clock())
    for code in ("", "x", "A" * 43, "wt_" + "A" * 43):
        invalid = refused(links, code, clock)
        assert isinstance(invalid, Unauthorized)
        assert invalid.code == "link_invalid"


def test_a_link_is_made_for_an_http_origin_only(links: SignInLinkStore,
                                                clock: FakeClock) -> None:
    for base in ("tablet.example:8000", "ftp://tablet.example", "http://tablet.example/app",
                 "http://tablet.example:8000/?x=1"):
        with pytest.raises(DomainError) as bad:
            links.make("coach1", base, clock())
        assert bad.value.code == "invalid_base_url"


def test_only_a_hash_of_the_code_is_stored(links: SignInLinkStore, clock: FakeClock) -> None:
    code = code_of(links.make("coach1", TABLET, clock()).url)
    links.redeem(code, TABLET, clock())
    if isinstance(links, PostgresSignInLinkStore):
        with links.datastore.transaction(commit=False) as pg:
            pg.execute(SQL("SELECT * FROM {}").format(links.table))
            rows = [dict(row) for row in pg.fetchall()]
    else:
        assert isinstance(links, SQLiteSignInLinkStore)
        with links.datastore.transaction(commit=False) as lite:
            lite.execute("SELECT * FROM signin_links")
            rows = [dict(row) for row in lite.fetchall()]
    assert len(rows) == 1
    assert all(code not in str(value) for value in rows[0].values())
    assert rows[0]["used_at"] is not None


def race(links: SignInLinkStore, code: str, contenders: int,
         clock: FakeClock) -> list[Redeemed | DomainError]:
    """Redeem one code from several threads released at the same moment."""
    start = threading.Barrier(contenders)
    outcomes: list[Redeemed | DomainError] = []

    def redeem() -> None:
        start.wait()
        try:
            outcomes.append(links.redeem(code, TABLET, clock()))
        except DomainError as refusal:
            outcomes.append(refusal)

    threads = [threading.Thread(target=redeem) for _ in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_redemptions_of_one_code_give_exactly_one_token(
    links: SignInLinkStore, tokens: TokenStore, clock: FakeClock
) -> None:
    contenders = 8
    for _ in range(3):
        code = code_of(links.make("coach1", TABLET, clock()).url)
        outcomes = race(links, code, contenders, clock)
        won = [o for o in outcomes if isinstance(o, Redeemed)]
        lost = [o.code for o in outcomes if isinstance(o, DomainError)]
        assert len(won) == 1, outcomes
        assert lost == ["link_used"] * (contenders - 1)
        assert tokens.user_for(won[0].token, clock()) == "coach1"
        assert tokens.revoke_all("coach1", clock()) == 1  # one token stored, not more


@pytest.mark.parametrize(("url", "origin"), [
    ("http://tablet.example:8000", "http://tablet.example:8000"),
    ("HTTP://Tablet.EXAMPLE:8000/", "http://tablet.example:8000"),
    ("http://tablet.example:80", "http://tablet.example"),
    ("https://walkthrough.example:443/", "https://walkthrough.example"),
    ("https://walkthrough.example:8443", "https://walkthrough.example:8443"),
    ("http://[::1]:8000", "http://[::1]:8000"),
    ("http://192.168.1.20:8000", "http://192.168.1.20:8000"),
])
def test_an_origin_is_scheme_host_and_a_port_other_than_the_default(url: str,
                                                                    origin: str) -> None:
    assert origin_of(url) == origin


@pytest.mark.parametrize("url", [
    "", "tablet.example", "ftp://tablet.example", "http://", "http://tablet.example/signin",
    "http://tablet.example?x", "http://tablet.example#x", "http://me@tablet.example",
    "http://tablet.example:99999",
])
def test_anything_else_is_not_an_origin(url: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message names the URL
        origin_of(url)
