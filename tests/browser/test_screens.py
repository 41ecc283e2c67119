"""Tablet and phone layouts, touch targets, installability, and screenshot artifacts."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, Tablet
from tests.browser.support import CONTRAST_PROBLEMS, SMALL_TARGETS, overflow, unique

pytestmark = pytest.mark.browser

SECTIONS = ["progress", "school_update", "bright_spots", "trends", "root_causes", "next_steps",
            "check_ins"]
SIZES = [(768, 1024), (1024, 768), (375, 667)]


def test_capture_screen_fits_tablet_and_phone_with_large_touch_targets(
    tablet: Callable[..., Tablet], artifacts: Path
) -> None:
    coach = tablet("coach1").sign_in().open_capture()
    coach.enter_classroom(unique("Room S"), students=26)
    coach.tap("target_posted", "yes")
    coach.tap("cfu", "method-questioning")
    coach.tap("engagement", 4)
    coach.tap("rigor", "analyze")
    coach.by("lookfor-on_task-inc").click()
    coach.note_evidence("5 of 26 students asked a peer before asking the teacher")
    coach.wait_until_sent(at_least=7)
    for width, height in SIZES:
        coach.page.set_viewport_size({"width": width, "height": height})
        assert overflow(coach.page) <= 0, f"horizontal scroll at {width}x{height}"
        assert coach.page.evaluate(SMALL_TARGETS) == [], f"targets under 44px at {width}x{height}"
        assert coach.page.evaluate(CONTRAST_PROBLEMS) == []
        coach.page.screenshot(path=artifacts / f"capture-{width}x{height}.png", full_page=True)
    coach.page.set_viewport_size({"width": 768, "height": 1024})
    coach.page.evaluate("() => window.scrollTo(0, 0)")
    coach.page.screenshot(path=artifacts / "capture-768x1024-viewport.png")
    assert (artifacts / "capture-768x1024.png").stat().st_size > 10_000


def test_debrief_agenda_and_summary_read_well_on_a_tablet(
    tablet: Callable[..., Tablet], server: Server, artifacts: Path
) -> None:
    host = tablet("host1").sign_in()
    expect(host.by(f"capture-{server.visit_id}")).to_have_count(0)  # hosts do not capture
    host.by(f"debrief-{server.visit_id}").click()
    expect(host.by("debrief-section-check_ins")).to_be_visible()
    kinds = host.page.locator("[data-testid^=debrief-section-]").evaluate_all(
        "els => els.map(e => e.dataset.testid.replace('debrief-section-', ''))")
    assert kinds == SECTIONS
    headings = host.page.locator("[data-testid^=debrief-section-] > h2").all_inner_texts()
    assert [h.split(".")[0] for h in headings] == [str(n) for n in range(1, 8)]
    assert overflow(host.page) <= 0
    assert host.page.evaluate(SMALL_TARGETS) == []
    assert host.page.evaluate(CONTRAST_PROBLEMS) == []
    host.page.screenshot(path=artifacts / "debrief-768x1024.png", full_page=True)
    assert (artifacts / "debrief-768x1024.png").stat().st_size > 10_000

    host.page.get_by_role("link", name="Summary").click()
    expect(host.by("summary-totals")).to_be_visible()
    assert overflow(host.page) <= 0
    host.page.screenshot(path=artifacts / "summary-768x1024.png", full_page=True)
    assert host.csp_violations() == []


def test_the_app_is_an_installable_pwa_with_its_shell_cached(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    with urllib.request.urlopen(server.url + "/sw.js") as response:
        assert "no-cache" in response.headers["Cache-Control"]
        source = response.read().decode()
    coach = tablet("coach1").sign_in()
    coach.wait_for_service_worker()
    cached = coach.page.evaluate("""async () => {
        const names = await caches.keys();
        const shell = names.find((name) => /^walkthrough-shell-v\\d+$/.test(name));
        const keys = await (await caches.open(shell)).keys();
        return { names, shell, paths: keys.map((r) => new URL(r.url).pathname) };
    }""")
    assert cached["shell"] in source
    assert "/sw.js" not in cached["paths"]
    assert {"/", "/static/js/app.js", "/static/app.css", "/manifest.webmanifest",
            "/static/icons/icon-192.png", "/static/icons/icon-512.png"} <= set(cached["paths"])
    cdp = coach.context.new_cdp_session(coach.page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []
    persisted = coach.page.evaluate("""async () => {
        const store = await import('/static/js/store.js');
        return await store.kvGet('storage:persisted');
    }""")
    assert persisted is not None  # navigator.storage.persist() was asked
