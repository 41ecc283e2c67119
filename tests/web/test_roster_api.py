"""`PUT /api/schools/{id}/staff-names`: who may set a roster, what a bad body gets, that
a PUT replaces the whole list, and that the names are never readable back - not from
any route, the NDJSON log, an export, the database file or the server's log.

Who gets what on this route is also a row of tests/web/test_role_matrix.py.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from projections.calibration import team_id
from web.cli import cli
from web.composition.bootstrap import Services
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT
from web.http.openapi import SPEC

Headers = dict[str, dict[str, str]]
LINCOLN = "lincoln-middle"
ROUTE = f"/api/schools/{LINCOLN}/staff-names"
# Names found nowhere in the demo district, so finding them anywhere is a leak.
STAFF = ["Zbigniewa Quillfeather-Þórsdóttir", "Anselm Vandersloot"]
TOKENS = ["zbigniewa", "quillfeather", "thorsdottir", "quillfeatherthorsdottir", "anselm",
          "vandersloot"]
WRITTEN = ["Zbigniewa", "Quillfeather", "Þórsdóttir", "Anselm", "Vandersloot"]


def put(client: TestClient, headers: dict[str, str], body: Any,
        school: str = LINCOLN) -> Any:
    return client.put(f"/api/schools/{school}/staff-names", headers=headers, json=body)


def leaks(text: str) -> list[str]:
    folded = text.casefold()
    return [word for word in WRITTEN + TOKENS if word.casefold() in folded]


def test_the_host_sets_the_roster_and_gets_counts_back(client: TestClient, auth: Headers,
                                                       demo: Services) -> None:
    response = put(client, auth["host1"], {"names": STAFF})
    assert response.status_code == 200, response.text
    assert response.json() == {"school_id": LINCOLN, "names": 2, "tokens": len(TOKENS)}
    assert response.headers["cache-control"] == "no-store"
    assert not leaks(response.text)
    roster = demo.roster.roster(LINCOLN)
    assert roster.match("Students showed VANDERSLOOT their work") == "VANDERSLOOT"
    assert roster.match("thorsdottir's slides") == "thorsdottir's"  # accents and case


def test_a_host_sets_only_their_own_school(client: TestClient, auth: Headers) -> None:
    assert put(client, auth["host2"], {"names": STAFF}).status_code == 403
    assert put(client, auth["host2"], {"names": STAFF},
               school="jefferson-elementary").status_code == 200
    for user in ("coach1", "coach3", "analyst1"):
        refused = put(client, auth[user], {"names": STAFF})
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "forbidden"
    assert put(client, {}, {"names": STAFF}).status_code == 401


def test_an_unknown_school_is_404(client: TestClient, auth: Headers) -> None:
    response = put(client, auth["organizer1"], {"names": STAFF}, school="nowhere")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_school"


@pytest.mark.parametrize("body", [
    {}, {"names": "Anselm Vandersloot"}, {"names": [42]}, {"names": [""]},
    {"names": ["x" * 121]}, {"names": ["Anselm"] * 501}, {"names": STAFF, "teacher": "x"},
    {"names": None}, [STAFF],
], ids=["missing", "a string", "a number", "empty name", "121 chars", "501 names",
        "unknown field", "null", "a list"])
def test_a_bad_body_is_422_and_stores_nothing(client: TestClient, auth: Headers,
                                              demo: Services, body: Any) -> None:
    response = put(client, auth["organizer1"], body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_request"
    assert not leaks(response.text)
    assert demo.roster.hashes(LINCOLN) == frozenset()


def test_a_body_that_is_not_json_is_400_and_too_big_is_413(client: TestClient,
                                                           auth: Headers) -> None:
    headers = {**auth["organizer1"], "Content-Type": "application/json"}
    response = client.put(ROUTE, headers=headers, content=b'{"names": ["Anselm')
    assert response.status_code == 400
    assert not leaks(response.text)
    response = client.put(ROUTE, headers=headers, content=b" " * 1_048_577)
    assert response.status_code == 413


def test_a_put_replaces_the_whole_list(client: TestClient, auth: Headers,
                                       demo: Services) -> None:
    put(client, auth["organizer1"], {"names": STAFF})
    response = put(client, auth["host1"], {"names": ["Ottoline Brackwater"]})
    assert response.json() == {"school_id": LINCOLN, "names": 1, "tokens": 2}
    roster = demo.roster.roster(LINCOLN)
    assert roster.match("Vandersloot") is None
    assert roster.match("brackwater") == "brackwater"
    assert put(client, auth["host1"], {"names": []}).json()["tokens"] == 0
    assert demo.roster.roster(LINCOLN).match("Brackwater") is None


def test_no_route_reads_a_roster_back(client: TestClient, auth: Headers) -> None:
    put(client, auth["host1"], {"names": STAFF})
    for user in ("host1", "organizer1"):
        response = client.get(ROUTE, headers=auth[user])
        assert response.status_code == 405
        assert not leaks(response.text)
    values = {"visit_id": str(CURRENT_VISIT), "school_id": LINCOLN, "version": "1",
              "partnership_id": "llp-lincoln-roosevelt", "user_id": "host1",
              "team_id": team_id(("coach1", "coach2")), "first": "coach1", "second": "coach2",
              "key": "managing_resistance",
              # host1's own calendar feed, read like any route
              "token": client.get("/api/me", headers=auth["host1"]).json()["calendar_url"]
              .rsplit("/", 1)[1].removesuffix(".ics")}
    read = 0
    for path, operations in SPEC["paths"].items():
        if "get" not in operations:
            continue
        concrete = path.format(**values)
        for user in ("organizer1", "host1", "analyst1"):
            response = client.get(concrete, headers=auth[user])
            assert not leaks(response.text), (concrete, user)
            read += response.status_code == 200
    assert read > 20
    text = client.get("/api/events?limit=10000&include_text=true", headers=auth["organizer1"])
    assert text.status_code == 200
    assert not leaks(text.text)


def test_exports_and_the_database_hold_no_names(client: TestClient, auth: Headers,
                                                demo: Services, settings: Settings,
                                                tmp_path: Path) -> None:
    put(client, auth["host1"], {"names": STAFF})
    env = {"WALKTHROUGH_DATA_DIR": str(settings.data_dir), "WALKTHROUGH_DATABASE_URL": None}
    runner = CliRunner()
    for format_, out in (("ndjson", tmp_path / "log.ndjson"), ("parquet", tmp_path / "pq")):
        result = runner.invoke(cli, ["export", "--format", format_, "--out", str(out),
                                     "--include-text"], env=env)
        assert result.exit_code == 0, result.output
        files = sorted(out.glob("*")) if out.is_dir() else [out]
        assert files
        for file in files:
            assert not leaks(file.read_bytes().decode("latin-1")), file
    hashes = demo.roster.hashes(LINCOLN)
    stored = b"".join(path.read_bytes() for path in settings.data_dir.rglob("*")
                      if path.is_file())
    assert all(token_hash in stored for token_hash in hashes)  # the hashes are there...
    for word in WRITTEN + TOKENS:  # ...and no name, in any spelling
        for encoded in (word.encode(), word.casefold().encode(), word.upper().encode()):
            assert encoded not in stored, word


def test_the_server_log_never_holds_the_names(client: TestClient, auth: Headers,
                                              caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        assert put(client, auth["host1"], {"names": STAFF}).status_code == 200
        assert put(client, auth["host1"], {"names": [*STAFF, "x" * 121]}).status_code == 422
        assert put(client, auth["host2"], {"names": STAFF}).status_code == 403
        assert put(client, auth["organizer1"], {"names": STAFF},
                   school="nowhere").status_code == 404
    assert caplog.records  # the requests were logged at all...
    assert not leaks(caplog.text)  # ...without a name
    assert not any(leaks(repr(record.args)) for record in caplog.records)
