"""Partnerships run from the app, each person on their own device signed in by a link:
the organizer forms a Critical Friends Group of five from two roles' inventories
(matching for a group: principals and an assistant principal, each with why), then a
pair with an administrator matching did not propose (with the reason); the group's
first meeting runs a consultancy with the facilitator shown and closes with two next
steps; the second meeting cannot close before progress on them, opens with the
progress the members record and the next facilitator. The organizer's "what is open"
screen shows a step gone past due and a growth goal's, and nudges an owner."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, expect

from tests.browser.conftest import Server, Tablet
from tests.browser.support import unique

pytestmark = pytest.mark.browser

SCHOOL = "lincoln-middle"


def person(tablet: Callable[..., Tablet], user: str) -> Tablet:
    return tablet(user).sign_in_by_link()


def match(organizer: Tablet, user: str) -> Locator:
    return organizer.page.locator("li.match", has=organizer.by(f"pick-{user}"))


def form_a_group(organizer: Tablet, focus: str) -> None:
    """Five from two roles, as matching for a group proposes them: Lincoln's principal,
    Jordan Ellis (sharing its principal's need), Ari Costa (an assistant principal strong
    in its needs), Sam Okafor and Lee Park."""
    organizer.by("plan-link").click()
    organizer.by(f"matches-{SCHOOL}").click()
    expect(organizer.by("pick-coach1")).to_be_visible()
    expect(organizer.by("pick-coach4")).to_have_count(0)  # a pair: the same role only
    organizer.by("match-purpose").select_option("group")
    expect(match(organizer, "host2")).to_contain_text(
        "shares Lincoln Middle's need to grow in 'facilitating plc conversations'")
    expect(match(organizer, "coach4")).to_contain_text(
        "Ari Costa · Assistant principal")
    expect(match(organizer, "coach4")).to_contain_text("An assistant principal strong in")
    for peer in ("host2", "coach4", "coach2", "coach3"):
        organizer.by(f"pick-{peer}").check()
    organizer.by("partnership-kind").select_option("critical_friends")
    organizer.by("partnership-focus").fill(focus)
    organizer.by("form-partnership").click()
    expect(organizer.by("flash")).to_have_text("Partnership formed.")


def pair_with_an_unmatched_peer(organizer: Tablet) -> None:
    """Back to matching for a pair: Lincoln's principal with Riley Adebayo, whom matching
    did not propose (no inventory), added with the reason, which the list then shows."""
    organizer.by("match-purpose").select_option("pair")
    expect(organizer.by("unmatched-coach4")).to_be_visible()  # unmatched for a pair
    organizer.by("unmatched-host4").check()
    organizer.by("unmatched-reason").fill("The one elementary principal free on Thursdays")
    organizer.by("partnership-kind").select_option("leadership_learning")
    organizer.by("form-partnership").click()
    expect(organizer.by("flash")).to_have_text("Partnership formed.")
    expect(organizer.by("partnerships")).to_contain_text(
        "Added without a match: Riley Adebayo (The one elementary principal free on Thursdays)")


def fill_step(device: Tablet, number: int, text: str, owner: str, success: str) -> None:
    device.by(f"new-step-{number}-text").fill(text)
    device.by(f"new-step-{number}-owner").fill(owner)
    device.by(f"new-step-{number}-success").fill(success)


def test_a_critical_friends_group_meets_from_progress_to_next_steps(
        tablet: Callable[..., Tablet], server: Server) -> None:
    focus = unique("Keeping talk structures alive")
    organizer = person(tablet, "organizer1")
    form_a_group(organizer, focus)
    pair_with_an_unmatched_peer(organizer)
    group = organizer.page.locator("[data-testid=partnerships] li", has_text=focus)
    group.get_by_role("link").click()
    expect(organizer.page.locator("main h1")).to_contain_text(focus)
    expect(organizer.by("meeting-members")).to_contain_text("Jordan Ellis")
    expect(organizer.by("no-last-steps")).to_be_visible()
    expect(organizer.by("facilitator-due")).to_contain_text("Morgan Blake")  # first listed
    partnership_url = organizer.page.url

    # The first meeting, on host1's tablet: a consultancy on coach2's dilemma.
    host = person(tablet, "host1")
    host.page.goto(partnership_url)
    expect(host.by("facilitator-due")).to_contain_text("Morgan Blake")
    host.by("protocol-choice").select_option("consultancy")
    expect(host.by("protocol-steps").locator("li")).to_have_count(6)
    expect(host.by("protocol-step-4")).to_contain_text("Discussion · 15 min")
    host.by("presenter").select_option("coach2")
    host.by("dilemma").fill("Talk structures launched in August fade by November; "
                            "how do I keep teams using them?")
    host.by("protocol-next").click()
    expect(host.by("protocol-step-1")).to_have_attribute("aria-current", "step")
    host.by("protocol-next").click()
    expect(host.by("protocol-step-2")).to_have_attribute("aria-current", "step")
    host.by("close-meeting").click()  # no step yet: refused before anything is queued
    expect(host.by("close-error")).to_contain_text("Next step 1")
    fill_step(host, 1, "Each member walks three rooms for student talk", "Every member",
              "Four tallies shared before the next meeting")
    fill_step(host, 2, "Draft talk norms for grades 6-8", "Sam Okafor",
              "A one-page draft tested in one school")
    host.by("close-meeting").click()
    expect(host.by("flash")).to_have_text("Meeting closed with its next steps.")

    # The second meeting opens with those steps and the next facilitator in turn.
    expect(host.by("agenda-progress").locator("li.step")).to_have_count(2)
    expect(host.by("facilitator-due")).to_contain_text("Jordan Ellis")
    expect(host.by("waiting-for-progress")).to_be_visible()
    fill_step(host, 1, "Share the tallies", "Every member", "Tallies compared")
    host.by("close-meeting").click()
    expect(host.by("close-error")).to_contain_text("Record progress on every step")

    coach = person(tablet, "coach4")  # the assistant principal records progress
    coach.page.goto(partnership_url)
    steps = coach.by("agenda-progress").locator("li.step")
    expect(steps).to_have_count(2)
    for index, (status, progress) in enumerate((("Done", "4 of 4 tallies"),
                                                ("On track", "half drafted"))):
        step = steps.nth(index)
        step.get_by_label(status).check()
        step.get_by_label("Progress (optional)").fill(progress)
        step.get_by_role("button", name="Record progress").click()
        expect(coach.by("flash")).to_have_text("Progress recorded.")
    expect(steps.nth(0)).to_contain_text("Done · 4 of 4 tallies")
    expect(steps.nth(1)).to_contain_text("On track · half drafted")
    expect(coach.by("waiting-for-progress")).to_have_count(0)
    expect(coach.by("facilitator-due")).to_contain_text("Jordan Ellis")

    host.page.reload()
    expect(host.by("agenda-progress")).to_contain_text("Done · 4 of 4 tallies")
    expect(host.by("facilitator-due")).to_contain_text("Jordan Ellis")
    for device in (organizer, host, coach):
        assert device.csp_violations() == []


def test_the_organizer_sees_what_is_open_and_overdue(tablet: Callable[..., Tablet]) -> None:
    organizer = person(tablet, "organizer1")
    organizer.by("open-link").click()
    expect(organizer.page.locator("main h1")).to_have_text("What is open")
    # The demo's CFG step talk-walk was due three days ago, with no progress.
    expect(organizer.by("overdue-talk-walk")).to_be_visible()
    expect(organizer.by("open-step-talk-walk")).to_contain_text("Critical Friends Group meeting")
    expect(organizer.by("open-summary")).to_contain_text("overdue")
    # growth goals' steps are open work too
    expect(organizer.by("open-step-plc-protocol")).to_contain_text("Growth goal of Morgan Blake")
    # one tap nudges the owner (recorded, emailed where mail is set up), once a day
    organizer.by("nudge-meeting-talk-walk").click()
    expect(organizer.by("flash")).to_have_text("Nudged today.")
    expect(organizer.by("nudged-meeting-talk-walk")).to_contain_text("Nudged today")
    expect(organizer.by("nudge-meeting-talk-walk")).to_have_count(0)


def test_a_pair_runs_a_guided_first_conversation_and_plans_its_visit_exchange(
        tablet: Callable[..., Tablet], server: Server) -> None:
    coach = person(tablet, "coach1")  # Dana Reyes (Roosevelt), paired with host1 (Lincoln)
    coach.by("partnerships-link").click()
    coach.by("open-llp-lincoln-roosevelt").click()
    expect(coach.by("guide-title")).to_contain_text("Guide for conversation 1")
    expect(coach.by("guide-prompts").locator("li")).to_have_count(5)
    expect(coach.by("facilitator-due")).to_have_count(0)  # a pair has no rotation
    reading = unique("Exit tickets that shape the next day's warm-up")
    coach.by("reading").fill(reading)
    fill_step(coach, 1, "Each brings a week of exit tickets", "Dana Reyes",
              "Ten exit tickets each, sorted by what they show")
    coach.by("close-meeting").click()
    expect(coach.by("flash")).to_have_text("Meeting closed with its next steps.")
    expect(coach.by("agenda-progress").locator("li.step")).to_have_count(1)
    expect(coach.by("guide-title")).to_contain_text("Guide for conversation 2")

    focus = unique("Exit tickets in grades 6-8 math")
    coach.by("exchange-focus").fill(focus)
    coach.by("plan-exchange").click()
    expect(coach.by("flash")).to_have_text(
        "Visit exchange planned: both visits are in your visits.")
    planned = [v for v in server.get("/api/me", "coach1")["visits"] if v["focus"] == focus]
    assert sorted(v["school"]["id"] for v in planned) == ["lincoln-middle", "roosevelt-middle"]
    assert sorted(v["relation"] for v in planned) == ["host", "team"]
    host_view = {v["id"]: v["relation"] for v in server.get("/api/me", "host1")["visits"]
                 if v["focus"] == focus}
    assert sorted(host_view.values()) == ["host", "team"]
    held = server.get("/api/partnerships/llp-lincoln-roosevelt/agenda", "host1")
    last = held["sections"][0]["meeting"]
    assert (last["meeting_id"].startswith("m-llp-lincoln-roosevelt"), last["reading"]) == (
        True, reading)
    assert coach.csp_violations() == []


def test_a_cross_role_network_starts_from_its_ground_rules(
        tablet: Callable[..., Tablet], server: Server) -> None:
    focus = unique("Coaching conversations")
    organizer = person(tablet, "organizer1")
    organizer.by("partnerships-link").click()
    organizer.by("network-capability").select_option("instructional_coaching")
    for member in ("host1", "coach4", "coach2"):  # two principals, an assistant principal
        organizer.by(f"network-members-{member}").check()
    organizer.by("network-focus").fill(focus)
    organizer.by("form-network").click()
    expect(organizer.by("flash")).to_have_text("Network formed.")
    organizer.page.get_by_role("link", name=f"Cross-role network: {focus}").click()
    expect(organizer.by("network-capability")).to_contain_text("Instructional coaching")
    expect(organizer.by("meeting-members")).to_contain_text("Ari Costa (assistant principal)")
    url = organizer.page.url

    host = person(tablet, "host1")
    host.page.goto(url)
    expect(host.by("acknowledged")).to_contain_text("no one yet")
    host.by("acknowledge-ground-rules").click()
    expect(host.by("acknowledged")).to_contain_text("Morgan Blake (1 of 3)")
    expect(host.by("acknowledge-ground-rules")).to_have_count(0)
    fill_step(host, 1, "Record one coaching conversation", "Every member", "Three recordings")
    host.by("close-meeting").click()
    expect(host.by("close-error")).to_contain_text("acknowledges the ground rules")


def test_a_leader_fills_in_their_own_skill_inventory_from_the_published_vocabulary(
        tablet: Callable[..., Tablet], server: Server) -> None:
    """The organizer publishes the next vocabulary version with one more skill (through
    the outbox); Jordan Ellis's inventory then offers it and names that version."""
    latest = server.get("/api/leadership-skills", "organizer1")["latest"]
    organizer = person(tablet, "organizer1")
    organizer.by("skills-link").click()
    expect(organizer.page.locator("main h1")).to_have_text("Leadership skills")
    listed = organizer.by("skills-list")
    listed.fill(listed.input_value() + "\nLeading data teams")
    organizer.by("publish-skills").click()
    expect(organizer.by("flash")).to_contain_text("Published")
    expect(organizer.by("skills-version")).to_contain_text(f"Version {latest + 1} is in use")
    expect(organizer.by(f"skills-version-{latest}")).to_be_visible()  # earlier, readable

    leader = person(tablet, "host2")  # Jordan Ellis, Jefferson Elementary
    leader.by("inventory-link").click()
    expect(leader.page.locator("main h1")).to_have_text("My skill inventory")
    expect(leader.by("inventory-growth-small_group_instruction")).to_be_checked()
    leader.by("inventory-strengths-budget_management").check()
    leader.by("inventory-strengths-leading_data_teams").check()
    leader.by("inventory-growth-managing_resistance").check()
    leader.by("save-inventory").click()
    expect(leader.by("flash")).to_have_text("Inventory saved.")
    saved = server.get("/api/people/host2/skill-inventory", "organizer1")["inventory"]
    assert {"budget_management", "leading_data_teams"} <= set(saved["strengths"])
    assert set(saved["growth_areas"]) == {"small_group_instruction", "facilitating_plcs",
                                          "managing_resistance"}
    assert saved["skills_version"] == latest + 1
