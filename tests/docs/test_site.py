"""The documentation site (mkdocs.yml, docs/) builds strictly, with no network: a broken
link or anchor, a page left out of the navigation or a missing picture fails the build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
         "--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    built = tmp_path / "site"
    assert (built / "index.html").exists()
    for picture in (ROOT / "docs" / "images").iterdir():
        assert (built / "images" / picture.name).exists(), picture.name
    # Nothing is loaded from elsewhere when a page is read (a district's network may not
    # reach it, and readers are not tracked): no web fonts, no scripts from a CDN.
    page = (built / "index.html").read_text()
    assert "fonts.googleapis.com" not in page
    assert 'src="http' not in page
