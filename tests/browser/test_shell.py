"""The app shell as files: what the service worker precaches, its version, CSP hygiene.

No browser needed. When a shell file changes, bump CACHE in web/static/sw.js and put
the new digest in tests/browser/shell.lock (the failure message prints both), so
installed tablets pick the new version up instead of running stale files.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urljoin

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
LOCK = Path(__file__).resolve().parent / "shell.lock"


def sw_source() -> str:
    return (STATIC / "sw.js").read_text()


def cache_name() -> str:
    match = re.search(r'const CACHE = "(walkthrough-shell-v\d+)";', sw_source())
    assert match, "sw.js declares const CACHE = \"walkthrough-shell-v<N>\";"
    return match.group(1)


def shell_list() -> list[str]:
    match = re.search(r"const SHELL = \[(.*?)\];", sw_source(), re.DOTALL)
    assert match
    return re.findall(r'"([^"]+)"', match.group(1))


def static_file(url: str) -> Path:
    if url == "/":
        return STATIC / "index.html"
    if url.startswith("/static/"):
        return STATIC / url.removeprefix("/static/")
    return STATIC / url.lstrip("/")


def shell_files() -> dict[str, Path]:
    """The app shell: index.html and everything it loads, following ES module imports.

    Other files in web/static (pages the server renders elsewhere) are not the shell.
    """
    found: dict[str, Path] = {}
    todo = ["/"]
    while todo:
        url = todo.pop()
        if url in found:
            continue
        path = static_file(url)
        assert path.is_file(), f"{url} is referenced but {path} does not exist"
        found[url] = path
        text = path.read_text() if path.suffix in {".html", ".js", ".webmanifest"} else ""
        if path.suffix == ".html":
            todo += re.findall(r'(?:src|href)="(/[^"]*)"', text)
        elif path.suffix == ".webmanifest":
            todo += [icon["src"] for icon in json.loads(text)["icons"]]
        elif path.suffix == ".js":
            for target in re.findall(r'^(?:import|export)[^;]*?from\s+"([^"]+)"', text, re.M):
                todo.append(urljoin(url, target))
    return found


def digest() -> str:
    sha = hashlib.sha256()
    for url, path in sorted(shell_files().items()):
        sha.update(url.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return sha.hexdigest()


def test_the_service_worker_precaches_every_shell_file_and_nothing_else() -> None:
    listed = shell_list()
    assert len(listed) == len(set(listed))
    assert set(listed) == set(shell_files())
    assert "/sw.js" not in listed


def test_the_shell_cache_is_versioned_and_bumped_when_a_shell_file_changes() -> None:
    lock = json.loads(LOCK.read_text())
    cache, shell_digest = cache_name(), digest()
    if shell_digest != lock["digest"]:
        assert cache != lock["cache"], (
            f"the app shell changed: bump CACHE in web/static/sw.js (now {cache}), then "
            f"write tests/browser/shell.lock with the new cache name and digest {shell_digest}")
        raise AssertionError(
            "the app shell changed and CACHE was bumped: write tests/browser/shell.lock = "
            + json.dumps({"cache": cache, "digest": shell_digest}))
    assert cache == lock["cache"], (
        f"CACHE changed without a shell change: set shell.lock's cache to {cache}")


def test_pages_and_scripts_work_under_the_content_security_policy() -> None:
    index = (STATIC / "index.html").read_text()
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", index) is None, "no inline script"
    assert "<style" not in index
    assert " style=" not in index
    assert re.search(r"\son[a-z]+=", index) is None, "no inline event handlers"
    assert "://" not in index, "no external resources"
    for script in [path for path in shell_files().values() if path.suffix == ".js"]:
        source = script.read_text()
        for forbidden in ("innerHTML", "eval(", "new Function", ".style.", '"style"', "://"):
            assert forbidden not in source, f"{forbidden!r} in {script.name}"


def test_the_manifest_makes_the_app_installable() -> None:
    manifest = json.loads((STATIC / "manifest.webmanifest").read_text())
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    for key in ("name", "short_name", "theme_color", "background_color"):
        assert manifest[key], key
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        png = (STATIC / icon["src"].removeprefix("/static/")).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert icon["sizes"] == f"{width}x{height}"
