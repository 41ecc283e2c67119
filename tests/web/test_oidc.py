"""Signing in with the district's own account, against a real OpenID provider on loopback
(tests.oidc_provider): a registered person's verified email signs the device in with the
app's own one-time link and device token; everything else ends on a refusal page and
creates nothing - a person the district has not registered, an unverified email, a
token for another issuer or audience, an expired or tampered token, a replayed code, a
missing or stale state, a provider that is down, a tenant or domain not allowed."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import msgspec
import pytest
from starlette.testclient import TestClient

from tests.conftest import FakeClock
from tests.oidc_provider import Provider, rewrite_json
from tests.servers import free_port
from walkthrough.events import PersonDeactivated
from web.app import create_app
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import load_demo

CLIENT_ID = "walkthrough-test"
DANA = "dana.reyes@demo-district.example"  # coach1
NOT_REGISTERED = "Your district has not registered you for Walkthrough"


def district_settings(settings: Settings, issuer: str, **more: Any) -> Settings:
    return msgspec.structs.replace(
        settings, oidc_issuer=issuer, oidc_client_id=CLIENT_ID,
        oidc_client_secret="test-secret", oidc_name="Demo District", **more)


@pytest.fixture
def district(settings: Settings, clock: FakeClock) -> Iterator[Services]:
    """The demo district, its store shared by the apps each test builds."""
    built = bootstrap(settings, clock=clock)
    load_demo(built.app, today=clock().date())
    yield built
    built.close()


def app_for(district: Services, issuer: str, **more: Any) -> TestClient:
    configured = dataclasses.replace(
        district, settings=district_settings(district.settings, issuer, **more))
    return TestClient(create_app(services=configured))


@pytest.fixture
def web(district: Services, oidc_provider: Provider) -> Iterator[TestClient]:
    with app_for(district, oidc_provider.url) as client:
        yield client


def start(web: TestClient) -> str:
    """Press "Sign in with Demo District": where the browser is sent (the provider)."""
    started = web.get("/auth/oidc/start", follow_redirects=False)
    assert started.status_code == 302, started.text
    return started.headers["location"]


def sign_in(web: TestClient, provider: Provider, sub: str) -> httpx2.Response:
    """The whole round: the button, the provider's form, back to the app's callback."""
    back = provider.log_in(start(web), sub)
    assert back.startswith("http://testserver/auth/oidc/callback?"), back
    return web.get(back.removeprefix("http://testserver"), follow_redirects=False)


def link_code(answer: httpx2.Response) -> str:
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith("http://testserver/signin#code="), location
    return location.partition("#code=")[2]


def refused(answer: httpx2.Response, status: int, title: str) -> str:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert f'<h1 data-testid="oidc-refused-title">{title}' in answer.text
    assert 'href="/signin"' in answer.text  # links and email are still offered
    assert "location" not in answer.headers
    return answer.text


def nothing_created(district: Services, before: int) -> None:
    """No event was recorded and nobody was registered by a refused sign-in."""
    assert district.app.recorder.max_notification_id() == before


def position(district: Services) -> int:
    return district.app.recorder.max_notification_id() or 0


def test_a_registered_persons_verified_email_signs_the_device_in_with_its_own_token(
    web: TestClient, oidc_provider: Provider, district: Services
) -> None:
    oidc_provider.set_user("google-123", {"email": "Dana.Reyes@Demo-District.example",
                                          "email_verified": True, "name": "D. Reyes"})
    authorize = urlsplit(start(web))
    asked = {key: values[0] for key, values in parse_qs(authorize.query).items()}
    assert asked["response_type"] == "code"
    assert asked["client_id"] == CLIENT_ID
    assert asked["code_challenge_method"] == "S256"
    assert len(asked["code_challenge"]) == 43
    assert asked["state"]
    assert asked["nonce"]
    assert set(asked["scope"].split()) == {"openid", "email", "profile"}
    assert asked["redirect_uri"] == "http://testserver/auth/oidc/callback"

    code = link_code(sign_in(web, oidc_provider, "google-123"))
    signed_in = web.post("/api/signin/link", json={"code": code})
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["user"]["id"] == "coach1"
    token = signed_in.json()["token"]
    assert token.startswith("wt_")
    bearer = {"Authorization": f"Bearer {token}"}
    assert web.get("/api/me", headers=bearer).json()["user"]["id"] == "coach1"
    assert web.post("/api/signin/link", json={"code": code}).status_code == 410

    # The district deactivates Dana: the device signed in this way is signed out.
    district.app.administer([PersonDeactivated(user_id="coach1")])
    after = web.get("/api/me", headers=bearer)
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "deactivated"


def test_a_person_the_district_has_not_registered_is_told_whom_to_ask(
    web: TestClient, oidc_provider: Provider, district: Services
) -> None:
    before = position(district)
    oidc_provider.set_user("stranger", {"email": "stranger@elsewhere.example",
                                        "email_verified": True})
    stranger = refused(sign_in(web, oidc_provider, "stranger"), 403, NOT_REGISTERED)
    assert "program organizer" in stranger
    assert "stranger@elsewhere.example" not in stranger
    nothing_created(district, before)

    # A deactivated person gets the very same page: it tells nothing about who is known.
    district.app.administer([PersonDeactivated(user_id="coach2")])
    before = position(district)
    oidc_provider.set_user("sam", {"email": "sam.okafor@demo-district.example",
                                   "email_verified": True})
    assert refused(sign_in(web, oidc_provider, "sam"), 403, NOT_REGISTERED) == stranger
    nothing_created(district, before)


@pytest.mark.parametrize("claims", [
    {"email": DANA, "email_verified": False},
    {"email": DANA},  # the provider does not say it is verified
])
def test_an_unverified_email_is_refused(
    web: TestClient, oidc_provider: Provider, district: Services, claims: dict[str, Any]
) -> None:
    before = position(district)
    oidc_provider.set_user("unverified", claims)
    refused(sign_in(web, oidc_provider, "unverified"), 403,
            "Your account&#x27;s email address is not verified")
    nothing_created(district, before)


@pytest.mark.parametrize(("bad", "why"), [
    ({"iss": "https://accounts.evil.example"}, "Invalid claim: 'iss'"),
    ({"aud": "another-client"}, "Missing claim: 'azp'"),
    ({"aud": ["another-client"], "azp": CLIENT_ID}, "ID token for another audience"),
    ({"exp": 1_000_000_000}, "ExpiredTokenError"),  # 2001
])
def test_an_id_token_for_another_issuer_or_audience_or_expired_is_refused(
    web: TestClient, oidc_provider: Provider, district: Services, bad: dict[str, Any],
    why: str, caplog: pytest.LogCaptureFixture
) -> None:
    before = position(district)
    oidc_provider.set_user("bad", {"email": DANA, "email_verified": True, **bad})
    refused(sign_in(web, oidc_provider, "bad"), 400, "That sign-in did not go through")
    assert why in caplog.text
    nothing_created(district, before)


def test_an_id_token_changed_in_transit_is_refused(
    web: TestClient, oidc_provider: Provider, district: Services,
    caplog: pytest.LogCaptureFixture
) -> None:
    """The provider signed a token for a stranger; on the way its email becomes Dana's."""

    def forge(token: dict[str, Any]) -> None:
        header, payload, signature = str(token["id_token"]).split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["email"] = DANA
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        token["id_token"] = f"{header}.{forged}.{signature}"

    oidc_provider.rewrite("/oauth2/token", rewrite_json(forge))
    oidc_provider.set_user("stranger", {"email": "stranger@elsewhere.example",
                                        "email_verified": True})
    before = position(district)
    refused(sign_in(web, oidc_provider, "stranger"), 400, "That sign-in did not go through")
    assert "BadSignatureError" in caplog.text
    nothing_created(district, before)


def test_a_replayed_code_is_refused(
    web: TestClient, oidc_provider: Provider, district: Services,
    caplog: pytest.LogCaptureFixture
) -> None:
    oidc_provider.set_user("dana", {"email": DANA, "email_verified": True})
    back = oidc_provider.log_in(start(web), "dana")
    first = web.get(back.removeprefix("http://testserver"), follow_redirects=False)
    link_code(first)
    code = parse_qs(urlsplit(back).query)["code"][0]

    # The same callback again: its state was used up with it.
    before = position(district)
    again = web.get(back.removeprefix("http://testserver"), follow_redirects=False)
    refused(again, 400, "That sign-in did not go through")
    # The old code with a fresh state of this browser: the provider refuses the code.
    fresh_state = parse_qs(urlsplit(start(web)).query)["state"][0]
    replayed = web.get("/auth/oidc/callback", params={"code": code, "state": fresh_state},
                       follow_redirects=False)
    refused(replayed, 400, "That sign-in did not go through")
    assert "invalid_grant" in caplog.text
    nothing_created(district, before)


def test_a_missing_or_stale_state_is_refused(
    web: TestClient, oidc_provider: Provider, district: Services,
    caplog: pytest.LogCaptureFixture
) -> None:
    oidc_provider.set_user("dana", {"email": DANA, "email_verified": True})
    back = oidc_provider.log_in(start(web), "dana")
    code = parse_qs(urlsplit(back).query)["code"][0]
    before = position(district)
    for params in ({"code": code}, {"code": code, "state": "made-up"}):
        answer = web.get("/auth/oidc/callback", params=params, follow_redirects=False)
        refused(answer, 400, "That sign-in did not go through")
    # Another browser (no cookie from the start) cannot finish this sign-in either.
    with TestClient(web.app) as other_browser:
        stolen = other_browser.get(back.removeprefix("http://testserver"),
                                   follow_redirects=False)
        refused(stolen, 400, "That sign-in did not go through")
    # The provider's own refusal (the person pressed "Deny") is shown the same way.
    denied = web.get("/auth/oidc/callback", params={"error": "access_denied"},
                     follow_redirects=False)
    refused(denied, 400, "That sign-in did not go through")
    assert caplog.text.count("mismatching_state") == 3
    assert "access_denied" in caplog.text
    nothing_created(district, before)


def test_a_provider_that_is_down_is_said_so_and_links_are_still_offered(
    district: Services
) -> None:
    with app_for(district, f"http://127.0.0.1:{free_port()}") as web:
        options = web.get("/api/signin/options").json()
        assert options["oidc"] == {"name": "Demo District", "url": "/auth/oidc/start"}
        down = web.get("/auth/oidc/start", follow_redirects=False)
        page = refused(down, 503, "Demo District cannot be reached right now")
        assert "sign-in link" in page


def test_only_the_allowed_email_domains_come_in(
    district: Services, oidc_provider: Provider
) -> None:
    with app_for(district, oidc_provider.url,
                 oidc_email_domains=("district.example",)) as web:
        oidc_provider.set_user("dana", {"email": DANA, "email_verified": True})
        refused(sign_in(web, oidc_provider, "dana"), 403, NOT_REGISTERED)


def test_a_multi_tenant_entra_issuer_is_checked_against_the_tokens_allowed_tenant(
    district: Services, oidc_provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    """Entra's common endpoint publishes `.../{tenantid}/v2.0` as its issuer; the token's
    `iss` must be that with its own `tid`, and the tid one the district allows. Entra
    sends no email_verified: an account of an allowed tenant is vouched for by it."""
    base = oidc_provider.url

    def multi_tenant(document: dict[str, Any]) -> None:
        document["issuer"] = f"{base}/{{tenantid}}/v2.0"

    oidc_provider.rewrite("/.well-known/openid-configuration", rewrite_json(multi_tenant))
    ours, theirs = "11111111-aaaa", "22222222-bbbb"
    oidc_provider.set_user("ours", {"email": DANA, "tid": ours, "iss": f"{base}/{ours}/v2.0"})
    oidc_provider.set_user("theirs", {"email": DANA, "email_verified": True, "tid": theirs,
                                      "iss": f"{base}/{theirs}/v2.0"})
    oidc_provider.set_user("mixed", {"email": DANA, "tid": ours,
                                     "iss": f"{base}/{theirs}/v2.0"})
    with app_for(district, base, oidc_tenant_ids=(ours,)) as web:
        code = link_code(sign_in(web, oidc_provider, "ours"))
        assert web.post("/api/signin/link", json={"code": code}).json()["user"]["id"] == \
            "coach1"
        before = position(district)
        refused(sign_in(web, oidc_provider, "theirs"), 400, "That sign-in did not go through")
        refused(sign_in(web, oidc_provider, "mixed"), 400, "That sign-in did not go through")
        assert caplog.text.count("Invalid claim: 'iss'") == 2
        nothing_created(district, before)


def test_without_settings_there_is_no_district_account_button(client: TestClient) -> None:
    assert client.get("/api/signin/options").json()["oidc"] is None
    answer = client.get("/auth/oidc/start", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin"
