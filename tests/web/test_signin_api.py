"""Sign-in links over HTTP: redeeming one needs no bearer token and gives a device
token once; refusals say why (401/410) and are rate-limited per code and per client
address (a higher bound);
organizers make links for people from the app, for the origin they use."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import FakeClock
from walkthrough.adapters.signin_links import LINK_PATH
from web.app import create_app
from web.composition.bootstrap import LINKS_BURST, LINKS_PER_MINUTE, Services
from web.http.buckets import TokenBuckets
from web.http.ratelimit import ADDRESS_FACTOR

Headers = dict[str, dict[str, str]]
HERE = "http://testserver"  # the TestClient's origin


def code_of(url: str) -> str:
    _, _, code = url.partition(LINK_PATH)
    assert code, url
    return code


def link_for(demo: Services, clock: FakeClock, user: str = "coach1", base: str = HERE) -> str:
    return code_of(demo.signin_links.make(user, base, clock()).url)


def redeem(client: TestClient, code: str, **headers: str) -> tuple[int, dict[str, Any]]:
    """Status and the error (or the whole answer when it signed in)."""
    response = client.post("/api/signin/link", json={"code": code}, headers=headers)
    body = response.json()
    return response.status_code, body.get("error", body)


def test_a_link_signs_a_device_in_without_a_bearer_token_once(
    client: TestClient, demo: Services, clock: FakeClock
) -> None:
    code = link_for(demo, clock)
    response = client.post("/api/signin/link", json={"code": code})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    signed_in = response.json()
    assert set(signed_in) == {"token", "user"}
    me = client.get("/api/me", headers={"Authorization": f"Bearer {signed_in['token']}"})
    assert me.status_code == 200
    assert signed_in["user"] == me.json()["user"]
    assert signed_in["user"]["id"] == "coach1"

    status, error = redeem(client, code)
    assert status == 410
    assert error == {"code": "link_used", "message": "This sign-in link was already used; "
                     "each link works once - ask for a new one"}


def test_an_expired_link_is_410_link_expired(client: TestClient, demo: Services,
                                             clock: FakeClock) -> None:
    code = link_for(demo, clock)
    clock.advance(timedelta(minutes=15))
    assert redeem(client, code) == (410, {
        "code": "link_expired", "message": "This sign-in link has expired; ask for a new one"})


def test_an_unknown_code_is_401_link_invalid(client: TestClient) -> None:
    status, error = redeem(client, "A" * 43)
    assert (status, error["code"]) == (401, "link_invalid")


def test_a_link_works_on_the_origin_it_was_made_for_only(
    demo: Services, client: TestClient, clock: FakeClock
) -> None:
    code = link_for(demo, clock, base="http://tablet.example:8000")
    status, error = redeem(client, code)
    assert (status, error["code"]) == (401, "link_wrong_host")
    assert "http://tablet.example:8000" in error["message"]
    # A page on another site posting the code: its Origin gives it away.
    status, error = redeem(client, code, Origin="http://evil.example")
    assert (status, error["code"]) == (401, "link_wrong_host")
    with TestClient(create_app(services=demo), base_url="http://tablet.example:8000") as there:
        status, _ = redeem(there, code)
        assert status == 200


def test_behind_a_proxy_that_ends_tls_the_browser_s_origin_counts(
    client: TestClient, demo: Services, clock: FakeClock
) -> None:
    code = link_for(demo, clock, base="https://walkthrough.example")
    status, _ = redeem(client, code, Origin="https://walkthrough.example")
    assert status == 200


def test_a_revoked_user_s_link_is_401_unauthorized(client: TestClient, demo: Services,
                                                  clock: FakeClock) -> None:
    code = link_for(demo, clock)
    demo.tokens.revoke_all("coach1", clock())
    demo.signin_links.revoke_all("coach1", clock())
    status, error = redeem(client, code)
    assert (status, error["code"]) == (401, "unauthorized")


def test_a_bearer_token_is_neither_needed_nor_looked_at(client: TestClient, demo: Services,
                                                        clock: FakeClock) -> None:
    status, answer = redeem(client, link_for(demo, clock, user="host1"),
                            Authorization="Bearer wt_forged")
    assert status == 200
    assert answer["user"]["id"] == "host1"


@pytest.mark.parametrize(("body", "status"), [
    (b"not json", 400),
    (b"{}", 422),
    (b'{"code": ""}', 422),
    (b'{"code": "x", "user": "organizer1"}', 422),
    (b'{"code": "' + b"x" * 5000 + b'"}', 413),
])
def test_a_malformed_request_is_refused_at_the_edge(client: TestClient, body: bytes,
                                                    status: int) -> None:
    response = client.post("/api/signin/link", content=body,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert set(response.json()) == {"error"}


@pytest.fixture
def limited(demo: Services) -> Iterator[TestClient]:
    demo.signin_limit = TokenBuckets(per_minute=6, burst=3)
    with TestClient(create_app(services=demo)) as test_client:
        yield test_client


def test_refused_links_are_rate_limited_per_code(
    limited: TestClient, demo: Services, clock: FakeClock
) -> None:
    for _ in range(5):  # signing in is not a failure: it costs nothing
        assert redeem(limited, link_for(demo, clock))[0] == 200
    used = link_for(demo, clock)
    assert redeem(limited, used)[0] == 200
    for _ in range(3):
        assert redeem(limited, used)[0] == 410
    response = limited.post("/api/signin/link", json={"code": used})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response.headers["retry-after"]) <= 10
    # Another code from the same address is not held back by this one's refusals.
    assert redeem(limited, link_for(demo, clock))[0] == 200


@pytest.fixture
def frozen_limited(demo: Services) -> Iterator[TestClient]:
    """The limit with time standing still: nothing refills while the test runs."""
    demo.signin_limit = TokenBuckets(per_minute=6, burst=3, monotonic=lambda: 0.0)
    with TestClient(create_app(services=demo)) as test_client:
        yield test_client


def test_one_device_cannot_lock_out_the_tablets_behind_its_school_s_address(
    frozen_limited: TestClient, demo: Services, clock: FakeClock
) -> None:
    """Two tablets behind one address (a school's NAT): one retries a used code over
    and over, the other still signs in; only many different bad codes from the
    address (ADDRESS_FACTOR times a code's bound) hold the address back."""
    limited = frozen_limited
    school = "198.51.100.20"
    with TestClient(limited.app, client=(school, 50001)) as stuck, \
            TestClient(limited.app, client=(school, 50002)) as other:
        used = link_for(demo, clock)
        assert redeem(stuck, used)[0] == 200
        statuses = [redeem(stuck, used)[0] for _ in range(40)]
        assert statuses[:3] == [410, 410, 410]
        assert set(statuses[3:]) == {429}
        assert redeem(other, link_for(demo, clock))[0] == 200
        # Guessing: distinct unknown codes, up to the address's higher bound.
        guesses = [redeem(stuck, f"guess-{n}")[0] for n in range(3 * ADDRESS_FACTOR + 5)]
        # The used code's 3 refusals counted for the address too (a float or so apart).
        assert 3 * ADDRESS_FACTOR - 4 <= guesses.count(401) <= 3 * ADDRESS_FACTOR - 3
        assert guesses[-1] == 429
        response = other.post("/api/signin/link", json={"code": link_for(demo, clock)})
        assert response.status_code == 429
        assert "from this address" in response.json()["error"]["message"]
    with TestClient(limited.app, client=("192.0.2.7", 50000)) as elsewhere:
        assert redeem(elsewhere, link_for(demo, clock))[0] == 200


def test_an_organizer_makes_a_link_for_their_own_origin_shown_once(
    client: TestClient, auth: Headers, clock: FakeClock
) -> None:
    response = client.post("/api/people/coach2/signin-link", headers=auth["organizer1"])
    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    made = response.json()
    assert set(made) == {"user_id", "url", "expires_at", "qr_svg"}
    assert made["user_id"] == "coach2"
    assert made["url"].startswith(f"{HERE}{LINK_PATH}")
    assert datetime.fromisoformat(made["expires_at"]) == clock() + timedelta(minutes=15)
    svg = ET.fromstring(made["qr_svg"])
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.get("viewBox")
    assert not [el for el in svg.iter() if el.tag.rsplit("}", 1)[-1] in ("script", "style")
                or "style" in el.attrib or any(a.startswith("on") for a in el.attrib)]

    status, answer = redeem(client, code_of(made["url"]))
    assert status == 200
    assert answer["user"]["id"] == "coach2"

    behind_tls = client.post("/api/people/coach2/signin-link", headers={
        **auth["organizer1"], "Origin": "https://walkthrough.example"}).json()
    assert behind_tls["url"].startswith(f"https://walkthrough.example{LINK_PATH}")


def test_only_organizers_make_links_and_only_for_registered_people(
    client: TestClient, auth: Headers
) -> None:
    for user in ("coach1", "host1", "analyst1"):
        response = client.post("/api/people/coach2/signin-link", headers=auth[user])
        assert response.status_code == 403
    assert client.post("/api/people/coach2/signin-link").status_code == 401
    unknown = client.post("/api/people/nobody/signin-link", headers=auth["organizer1"])
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_user"


def test_organizers_list_people_with_roles_and_school(client: TestClient,
                                                       auth: Headers) -> None:
    people = client.get("/api/people", headers=auth["organizer1"]).json()["people"]
    by_id = {person["id"]: person for person in people}
    assert {"coach1", "coach2", "host1", "organizer1", "analyst1"} <= set(by_id)
    assert set(by_id["host1"]) == {"id", "name", "roles", "school", "email", "active"}
    assert "host" in by_id["host1"]["roles"]
    assert by_id["host1"]["school"] == {"id": "lincoln-middle", "name": "Lincoln Middle",
                                        "level": "middle"}
    names = [person["name"].casefold() for person in people]
    assert names == sorted(names)
    assert client.get("/api/people", headers=auth["coach1"]).status_code == 403


def test_an_organizer_can_make_only_so_many_links(
    demo: Services, auth: Headers,
) -> None:
    demo.link_limit = TokenBuckets(LINKS_PER_MINUTE, LINKS_BURST, monotonic=lambda: 0.0)
    with TestClient(create_app(services=demo)) as client:
        made = [client.post("/api/people/coach2/signin-link", headers=auth["organizer1"])
                for _ in range(LINKS_BURST)]
        assert {response.status_code for response in made} == {201}
        refused = client.post("/api/people/coach2/signin-link", headers=auth["organizer1"])
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert int(refused.headers["retry-after"]) >= 1
        assert "url" not in refused.json()
