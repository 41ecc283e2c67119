"""Shared plumbing: paths, processes, HTTP over raw sockets, statistics, machine info.

Every wait here is bounded in time; every loop in count.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
WORK = OUT / "work"
LOGS = OUT / "logs"
HOST = "127.0.0.1"
PYTHON = sys.executable
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def fresh_dir(name: str) -> Path:
    path = WORK / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for project subprocesses: this checkout first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"]
                                     if env.get("PYTHONPATH") else "")
    env.pop("WALKTHROUGH_DATABASE_URL", None)
    # The load generator stands for many tablets but uses two tokens: lift the per-token
    # sync rate limit (the limiter still runs on every request).
    env["WALKTHROUGH_SYNC_RATE_PER_MINUTE"] = str(10**9)
    env["WALKTHROUGH_SYNC_BURST"] = str(10**9)
    env.update(extra or {})
    return env


def run_module(args: Sequence[str], env: dict[str, str], timeout: float) -> str:
    """Run `python -m ...` to completion (bounded), return its stdout; raise on failure."""
    done = subprocess.run([PYTHON, "-m", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"python -m {' '.join(args)} failed ({done.returncode}):\n"
                           f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


# --- raw HTTP/1.1 -------------------------------------------------------------------


def request_bytes(method: str, path: str, port: int, token: str | None = None,
                  body: bytes | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode()
    return head + (body or b"")


class HttpConnection:
    """A keep-alive HTTP/1.1 client on a raw socket: send pre-encoded requests,
    read a Content-Length (or chunked) response. Cheap on CPU, bounded by timeouts."""

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port = port
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def exchange(self, raw_request: bytes) -> tuple[int, bytes]:
        self.sock.sendall(raw_request)
        return self.read_response()

    def _fill(self) -> None:
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buffer += chunk

    def read_response(self) -> tuple[int, bytes]:
        for _ in range(100_000):
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                break
            self._fill()
        else:
            raise ConnectionError("no response head")
        head = self.buffer[:end].decode("latin-1")
        self.buffer = self.buffer[end + 4:]
        status_line, *header_lines = head.split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            length = int(headers["content-length"])
            for _ in range(100_000):
                if len(self.buffer) >= length:
                    break
                self._fill()
            body, self.buffer = self.buffer[:length], self.buffer[length:]
            return status, body
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return status, self._read_chunked()
        return status, b""

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        for _ in range(1_000_000):
            while b"\r\n" not in self.buffer:
                self._fill()
            size_line, self.buffer = self.buffer.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(self.buffer) < size + 2:
                self._fill()
            parts.append(self.buffer[:size])
            self.buffer = self.buffer[size + 2:]
            if size == 0:
                return b"".join(parts)
        raise ConnectionError("endless chunked body")


def wait_until_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early with {process.returncode}")
        try:
            connection = HttpConnection(port, timeout=2.0)
        except OSError:
            time.sleep(0.1)
            continue
        try:
            status, _ = connection.exchange(request_bytes("GET", "/health", port))
        except OSError:
            status = 0
        finally:
            connection.close()
        if status == 200:
            return
        time.sleep(0.1)
    raise TimeoutError(f"server on port {port} not ready after {timeout:.0f} s")


def projected_position(port: int) -> int:
    """The server's read-model position (`GET /health`)."""
    connection = HttpConnection(port, timeout=30.0)
    try:
        status, body = connection.exchange(request_bytes("GET", "/health", port))
    finally:
        connection.close()
    if status != 200:
        raise RuntimeError(f"/health answered {status}")
    position: int = json.loads(body)["projected_position"]
    return position


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_file: IO[bytes]

    def cpu_seconds(self) -> float:
        """User + system CPU of the server process and its children (workers, projector)."""
        return sum(_cpu_of(pid) for pid in [self.process.pid, *_children(self.process.pid)])

    def children_cpu_seconds(self) -> float:
        """The children's share: with one worker, the projector process."""
        return sum(_cpu_of(pid) for pid in _children(self.process.pid))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log_file.close()


def start_server(name: str, args: Sequence[str], env: dict[str, str], port: int) -> Server:
    LOGS.mkdir(parents=True, exist_ok=True)
    log_file = (LOGS / f"{name}.log").open("wb")
    process = subprocess.Popen([PYTHON, "-m", *args], cwd=ROOT, env=env,
                               stdout=log_file, stderr=subprocess.STDOUT)
    server = Server(name=name, process=process, port=port, log_file=log_file)
    try:
        wait_until_ready(port, process)
    except BaseException:
        server.stop()
        raise
    return server


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except OSError:
            continue
    return found


# --- statistics and machine ---------------------------------------------------------


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already inside user
    return (total - idle) / CLK_TCK, total / CLK_TCK


def busy_share(before: tuple[float, float], after: tuple[float, float]) -> float | None:
    """Share of the machine's CPU (all cores) busy between two `machine_cpu()` readings."""
    total = after[1] - before[1]
    return round((after[0] - before[0]) / total, 3) if total > 0 else None


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return numerator / denominator


def commit_probe_ms(commits: int = 100) -> float:
    """Median time of a one-row SQLite commit (WAL, synchronous=FULL) in the work area:
    how expensive fsync is right now, the unit every store here pays per transaction."""
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / "commit-probe.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
        times = []
        for n in range(commits):
            started = time.perf_counter()
            connection.execute("BEGIN")
            connection.execute("INSERT INTO probe VALUES (?)", (n,))
            connection.execute("COMMIT")
            times.append((time.perf_counter() - started) * 1000)
    finally:
        connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return round(percentile(times, 50), 3)


def machine() -> dict[str, object]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
