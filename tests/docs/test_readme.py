"""The README is a newcomer's first page: short, and everything it points at is there."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MAX_BYTES = 8 * 1024
# [text](target) and ![alt](target); a target ends at a space (a title) or the paren.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def local_targets(text: str) -> list[str]:
    """The repository paths a Markdown text links to or shows (no web addresses)."""
    targets = []
    for target in LINK.findall(text):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not parts.path:  # http://..., mailto:, #anchor
            continue
        targets.append(unquote(parts.path))
    return targets


def test_the_readme_stays_short() -> None:
    size = len(README.read_bytes())
    assert size <= MAX_BYTES, f"README.md is {size} bytes; move detail into docs/ (the site)"


def test_every_link_and_picture_of_the_readme_exists() -> None:
    text = README.read_text()
    targets = local_targets(text)
    assert any(t.startswith("docs/images/") for t in targets), "the README shows pictures"
    missing = [t for t in targets if not (ROOT / t).exists()]
    assert not missing, f"README.md names what is not in the repository: {missing}"


def test_the_readme_shows_three_screenshots_the_browser_tests_take() -> None:
    shots = re.findall(r"!\[[^\]]*\]\((docs/images/[\w-]+\.png)\)", README.read_text())
    assert len(shots) == 3, shots
    module = (ROOT / "tests" / "browser" / "test_screenshots.py").read_text()
    for shot in shots:
        assert f'"{Path(shot).stem}"' in module, f"{shot} is not taken by test_screenshots.py"


def test_local_targets_reads_links_pictures_and_skips_addresses() -> None:
    text = ('See [a](docs/a.md#part), ![b](docs/images/b.png "title"), '
            "[c](https://example.org/x.md), [d](#here) and [e](mailto:x@y).")
    assert local_targets(text) == ["docs/a.md", "docs/images/b.png"]
