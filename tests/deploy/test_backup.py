"""`walkthrough backup` while tablets sync, `walkthrough restore` into a new data
directory: every event acknowledged before the backup began is there exactly once, and
`verify` holds. What is not a walkthrough backup is refused with a clear message."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from projections.event_log import read_log
from tests.builders import batch, enter, tap
from tests.caddy import ROOT, cli
from tests.servers import free_port, wait_until_up
from web.composition.bootstrap import bootstrap
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT

DEVICES = 4  # tablets syncing at once
BATCH = 25  # events per sync request
ACKNOWLEDGED_BEFORE_BACKUP = 40  # batches answered before the backup starts
AFTER_BACKUP = 20  # batches each device still sends after the backup is done
VALUES = ("yes", "no", "not_observed")


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def env_for(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "WALKTHROUGH_DATA_DIR": str(data_dir),
           "WALKTHROUGH_SYNC_RATE_PER_MINUTE": "0"}
    env.pop("WALKTHROUGH_DATABASE_URL", None)
    return env


@dataclass
class Load:
    """Tablets posting batches until told to stop; what was acknowledged, and when."""

    url: str
    tokens: list[str]
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: list[tuple[float, list[str]]] = field(default_factory=list)  # (at, ids)
    errors: list[str] = field(default_factory=list)

    def batches(self) -> int:
        with self.lock:
            return len(self.acknowledged)

    def device(self, number: int) -> None:
        token = self.tokens[number % len(self.tokens)]
        room = f"c-backup-{number}"
        first = [enter(CURRENT_VISIT, room, label=f"Backup room {number}")]
        sent = 0
        while not self.stop.is_set():
            events = first + [tap(CURRENT_VISIT, "target_posted", VALUES[i % 3], room)
                              for i in range(BATCH - len(first))]
            first = []
            body = json.dumps(batch(*events, device=f"tablet-{number}")).encode()
            request = urllib.request.Request(
                self.url + "/api/sync", data=body, method="POST",
                headers={"Authorization": f"Bearer {token}",
                         "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    answer: dict[str, Any] = json.loads(response.read())
            except urllib.error.HTTPError as error:
                with self.lock:
                    self.errors.append(f"{error.code} {error.read()[:200]!r}")
                return
            at = time.monotonic()  # the answer is in: these are acknowledged from now
            statuses = {r["status"] for r in answer["results"]}
            if statuses != {"accepted"}:
                with self.lock:
                    self.errors.append(f"not all accepted: {answer['results'][:3]}")
                return
            with self.lock:
                self.acknowledged.append((at, [e["id"] for e in events]))
            sent += 1


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[tuple[Path, Load]]:
    data_dir = tmp_path / "data"
    env = env_for(data_dir)
    cli(env, "demo")
    tokens = [cli(env, "token", user).strip().splitlines()[-1] for user in ("coach1", "coach2")]
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port",
             str(port)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url, server, log)
        yield data_dir, Load(url=url, tokens=tokens)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_backup_under_sync_load_restores_every_acknowledged_event_exactly_once(
    serving: tuple[Path, Load], tmp_path: Path
) -> None:
    data_dir, load = serving
    devices = [threading.Thread(target=load.device, args=(n,)) for n in range(DEVICES)]
    for device in devices:
        device.start()
    try:
        while load.batches() < ACKNOWLEDGED_BEFORE_BACKUP and not load.errors:
            time.sleep(0.01)
        began = time.monotonic()
        dest = tmp_path / "backup.sqlite3"
        made = run(env_for(data_dir), "backup", str(dest))
        ended = time.monotonic()
        target = load.batches() + AFTER_BACKUP * DEVICES
        while load.batches() < target and not load.errors:
            time.sleep(0.01)
    finally:
        load.stop.set()
        for device in devices:
            device.join(timeout=120)
    assert made.returncode == 0, made.stderr
    assert dest.stat().st_mode & 0o077 == 0  # tokens' hashes and the secret: owner only
    assert not load.errors, load.errors
    with load.lock:
        before = [i for at, ids in load.acknowledged if at < began for i in ids]
        during = [at for at, _ in load.acknowledged if began <= at <= ended]
        sent = {i for _, ids in load.acknowledged for i in ids}
    assert len(before) >= ACKNOWLEDGED_BEFORE_BACKUP * BATCH
    assert during, "no batch was answered while the backup ran: it did not run under load"

    restored = tmp_path / "restored"
    done = run(env_for(restored), "restore", str(dest))
    assert done.returncode == 0, done.stderr
    assert "restored" in done.stdout

    services = bootstrap(Settings(data_dir=restored))
    try:
        in_log = Counter(str(entry.event.event_id) for entry in read_log(services.app))
    finally:
        services.close()
    missing = [i for i in before if in_log[i] != 1]
    assert not missing, f"{len(missing)} acknowledged events missing or doubled"
    assert max(in_log.values()) == 1  # nothing twice, whatever was caught mid-copy
    from_load = [i for i in in_log if i in sent]
    assert len(from_load) >= len(before)
    reported = int(made.stdout.split(": ", 1)[1].split(" events")[0])
    assert reported == sum(in_log.values())

    print(f"acknowledged before the backup: {len(before)} events; batches answered while "
          f"it ran: {len(during)}; in the restored log: {sum(in_log.values())} events")
    verified = run(env_for(restored), "verify")
    assert verified.returncode == 0, verified.stderr
    assert "read models equal a rebuild" in verified.stdout


@pytest.fixture
def backup_file(tmp_path: Path) -> tuple[Path, Path]:
    """A store with the demo district, and a backup of it."""
    data_dir = tmp_path / "data"
    env = env_for(data_dir)
    cli(env, "demo")
    dest = tmp_path / "demo.backup"
    assert run(env, "backup", str(dest)).returncode == 0
    return data_dir, dest


def refused(tmp_path: Path, src: Path, data_dir: Path | None = None) -> str:
    target = data_dir or tmp_path / "fresh"
    done = run(env_for(target), "restore", str(src))
    assert done.returncode != 0
    assert not (target / "walkthrough.sqlite3.partial").exists()
    message = done.stderr.strip()
    assert message.startswith("error: "), message
    return message


def test_what_is_not_a_walkthrough_backup_is_refused_with_a_clear_message(
    tmp_path: Path, backup_file: tuple[Path, Path]
) -> None:
    data_dir, good = backup_file
    junk = tmp_path / "junk.bin"
    junk.write_bytes(os.urandom(8192))
    assert "is not a walkthrough backup" in refused(tmp_path, junk)

    half = tmp_path / "half.backup"
    half.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    message = refused(tmp_path, half)
    assert "damaged" in message or "not a walkthrough backup" in message

    foreign = tmp_path / "other.sqlite3"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE stored_events (x)")
    assert "without the mark" in refused(tmp_path, foreign)

    live = data_dir / "walkthrough.sqlite3"  # a store copied by hand, not a backup
    assert "without the mark" in refused(tmp_path, live)

    assert "is not a file" in refused(tmp_path, tmp_path / "nothing-here")
    assert not (tmp_path / "fresh" / "walkthrough.sqlite3").exists()


def test_a_restore_never_goes_over_a_store(tmp_path: Path,
                                           backup_file: tuple[Path, Path]) -> None:
    data_dir, good = backup_file
    before = (data_dir / "walkthrough.sqlite3").read_bytes()
    assert "is not empty" in refused(tmp_path, good, data_dir)
    assert (data_dir / "walkthrough.sqlite3").read_bytes() == before
    # ...and a backup never goes over an older one.
    done = run(env_for(data_dir), "backup", str(good))
    assert done.returncode != 0
    assert "already exists" in done.stderr
