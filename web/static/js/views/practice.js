// Observing an administrator's leadership practice (peers): tap the leadership look-fors
// while they lead a PLC or a feedback conversation, note low-inference evidence, or
// withdraw an observation started by mistake. Every tap is an event on the growth record
// through the outbox, offline first; this tablet's own latest tap per look-for is this
// peer's observation, shown at once (pending until sent).

import { h, humanize, formatDate } from "../dom.js";
import { TEXT, redraw, screen, textProblem } from "../forms.js";
import { YES_NO_VALUES } from "../generated/schema.js";
import { practiceFold } from "../growth-state.js";
import * as outbox from "../outbox.js";
import { growthPath, leadershipCatalog, loadRecord, notFound, settingName, valueWords } from "./growth.js";


export async function renderPractice(root, userId, observationId, me, { setTitle, navigate }) {
  const { body } = screen(root);
  const loaded = await loadRecord(userId);
  if (!loaded) { setTitle("Not found"); notFound(body, userId); return () => {}; }
  const { data: record, stale } = loaded;
  const back = growthPath(userId);
  let busy = Promise.resolve();
  let disposed = false;
  let catalog = null;
  const problems = new Map();  // field -> message, shown until the next try

  const serverObservation = record.leadership_observations.observations
    .find((o) => o.observation_id === observationId) || null;

  /** This peer's latest tap of `item` as recorded on this tablet so far, or null. */
  const latest = async (item) => {
    const mine = practiceFold(await outbox.journal(record.record_id), me.user.id).get(observationId);
    const row = mine && mine.taps.get(item);
    return row ? row.event.data.value : null;
  };

  /** Record one event, in tapping order; `data` may be a function of the taps so far
   *  (three quick "+" give 1, 2, 3), returning null to record nothing. */
  const record_ = (type, data) => {
    busy = busy.then(async () => {
      const payload = typeof data === "function" ? await data(latest) : data;
      if (!payload) return;
      await outbox.record(record.record_id, type, payload);
      await render();
    }).catch((error) => {
      problems.set("save", `Could not save on this tablet: ${error.message || error}`);
      return render();
    });
    return busy;
  };

  const render = async () => {
    if (disposed) return;
    const entries = await outbox.journal(record.record_id);
    const mine = practiceFold(entries, me.user.id).get(observationId) || null;
    const pendingIds = new Set(entries.filter((row) => row.status === "pending").map((row) => row.id));
    const started = mine && mine.started ? mine.started.event.data : serverObservation;
    const head = h("p", { class: "crumbs" },
      h("a", { href: back, "data-link": true, testid: "back-to-growth" }, `← Growth of ${record.user.name}`));
    if (!started) {
      setTitle("Not found");
      redraw(body, head, h("h1", { tabindex: "-1" }, "Observation not found"),
        h("p", { class: "notice", role: "alert", testid: "practice-not-found" },
          "This tablet has no such practice observation, and the record does not list it."));
      return;
    }
    if (record.relation !== "peer") {
      setTitle("Leadership practice");
      redraw(body, head, h("h1", { tabindex: "-1" }, "Leadership practice"),
        h("p", { class: "notice", testid: "practice-peers-only" }, "Only the administrator's partnership peers observe their practice."));
      return;
    }
    if (mine && mine.retracted) {
      setTitle("Observation withdrawn");
      redraw(body, head, h("h1", { tabindex: "-1" }, "Observation withdrawn"),
        h("p", { class: "notice", testid: "practice-withdrawn" }, "This observation was withdrawn: its taps do not count."));
      return;
    }
    if (!catalog || catalog.version !== started.catalog_version) catalog = await leadershipCatalog(started.catalog_version);
    const title = started.label || settingName(started.setting);
    setTitle(`Observing · ${title}`);
    const taps = mine ? mine.taps : new Map();
    const counts = [];  // count fields show the latest tap, not what redraw kept
    const status = (row) => (row ? h("span", { class: `tap-status ${pendingIds.has(row.id) ? "is-pending" : "is-sent"}` },
      pendingIds.has(row.id) ? "pending" : "sent") : null);
    const lookFor = (item) => {
      const row = taps.get(item.key);
      const now = row ? row.event.data.value : null;
      const headingId = `pf-${item.key}`;
      const tapTo = (value) => record_("PracticeObserved", { observation_id: observationId, item: item.key, value });
      let control;
      if (item.kind === "yes_no") {
        const values = item.allow_unsure ? [...YES_NO_VALUES, "unsure"] : YES_NO_VALUES;
        control = h("div", { class: "choices", role: "group", "aria-labelledby": headingId }, values.map((value) => {
          const button = h("button", { type: "button", id: `pf-${item.key}-${value}`, class: `choice${row && pendingIds.has(row.id) && now === value ? " pending" : ""}`,
            testid: `practice-${item.key}-${value}`, "aria-pressed": String(now === value) }, valueWords(value));
          button.addEventListener("click", () => { if (now !== value) tapTo(value); });
          return button;
        }));
      } else if (item.kind === "count") {
        const input = h("input", { type: "number", id: `pf-${item.key}-value`, min: "0", step: "1", inputmode: "numeric",
          class: "count-value", testid: `practice-${item.key}-value`, value: now === null ? "" : String(now) });
        const dec = h("button", { type: "button", id: `pf-${item.key}-dec`, class: "step", testid: `practice-${item.key}-dec`,
          "aria-label": `${item.prompt}: one less`, disabled: now === null || now <= 0 }, "−");
        const inc = h("button", { type: "button", id: `pf-${item.key}-inc`, class: "step", testid: `practice-${item.key}-inc`,
          "aria-label": `${item.prompt}: one more` }, "+");
        const step = (by) => record_("PracticeObserved", async (taps) => {
          const current = await taps(item.key);
          const next = current === null ? (by > 0 ? 1 : null) : Number(current) + by;
          return next === null || next < 0 ? null : { observation_id: observationId, item: item.key, value: next };
        });
        dec.addEventListener("click", () => step(-1));
        inc.addEventListener("click", () => step(1));
        counts.push([input, now]);
        input.addEventListener("change", () => {
          const value = Number(input.value);
          if (input.value.trim() !== "" && Number.isInteger(value) && value >= 0 && value !== now) tapTo(value);
        });
        control = h("div", { class: "stepper" },
          h("label", { for: `pf-${item.key}-value`, class: "visually-hidden" }, `${item.prompt} (number)`), dec, input, inc);
      } else {
        const area = h("textarea", { id: `pf-${item.key}-text`, rows: "3", maxlength: String(item.max_length || TEXT),
          testid: `practice-${item.key}-text` });
        const save = h("button", { type: "button", class: "secondary", testid: `practice-${item.key}-save` }, "Save note");
        save.addEventListener("click", () => {
          const text = area.value.trim();
          const problem = textProblem(text, { label: item.prompt, max: item.max_length || TEXT });
          if (problem) { problems.set(item.key, problem); render(); return; }
          problems.delete(item.key);
          area.value = "";
          tapTo(text);
        });
        control = h("div", { class: "note-field" },
          h("label", { for: `pf-${item.key}-text`, class: "visually-hidden" }, item.prompt), area,
          problems.get(item.key) ? h("p", { class: "error", role: "alert", testid: `practice-${item.key}-error` }, problems.get(item.key)) : null,
          save, now !== null ? h("p", { class: "note-saved" }, `Saved: “${now}”`) : null);
      }
      return h("section", { class: `lookfor card kind-${item.kind}`, testid: `practice-${item.key}`, "aria-labelledby": headingId },
        h("h3", { id: headingId }, item.prompt, " ", status(row)), control);
    };

    const evidence = h("textarea", { id: "practice-evidence-text", rows: "3", maxlength: String(TEXT),
      testid: "practice-evidence-text", "aria-describedby": "practice-evidence-hint" });
    const about = h("select", { id: "practice-evidence-item", testid: "practice-evidence-item" },
      h("option", { value: "" }, "(no particular look-for)"),
      (catalog ? catalog.items : []).filter((i) => i.kind !== "note").map((i) => h("option", { value: i.key }, i.prompt)));
    const add = h("button", { type: "button", class: "primary", testid: "practice-add-evidence" }, "Add evidence");
    add.addEventListener("click", () => {
      const text = evidence.value.trim();
      const problem = textProblem(text, { label: "Evidence", max: TEXT });
      if (problem) { problems.set("evidence", problem); render(); return; }
      problems.delete("evidence");
      const data = { observation_id: observationId, text };
      if (about.value) data.item = about.value;
      evidence.value = "";
      record_("PracticeNoted", data);
    });
    const notes = mine ? mine.notes : [];

    const withdrawConfirm = h("button", { type: "button", class: "primary", testid: "practice-withdraw-confirm", hidden: true },
      "Yes, withdraw it");
    const withdraw = h("button", { type: "button", class: "secondary", testid: "practice-withdraw", "aria-expanded": "false" },
      "Withdraw this observation…");
    withdraw.addEventListener("click", () => {
      withdrawConfirm.hidden = false;
      withdraw.setAttribute("aria-expanded", "true");
      withdrawConfirm.focus();
    });
    withdrawConfirm.addEventListener("click", async () => {
      await record_("PracticeObservationRetracted", { observation_id: observationId, reason: "started by mistake" });
      navigate(back);
    });

    redraw(body,
      head,
      h("h1", { tabindex: "-1", testid: "practice-title" }, `Observing: ${title}`),
      h("p", { class: "meta" }, `${settingName(started.setting)} led by ${record.user.name}`,
        mine && mine.started ? ` · started ${formatDate(mine.started.event.occurred_at.slice(0, 10))}` : ""),
      stale ? h("p", { class: "notice", role: "status" }, "Offline: everything you tap is kept on this tablet and sent later.") : null,
      h("p", { class: "reminder" }, "About the practice, never a rating of the person. What participants did and said; no names."),
      problems.get("save") ? h("p", { class: "error", role: "alert" }, problems.get("save")) : null,
      catalog ? h("div", { class: "lookfor-grid", testid: "practice-look-fors" }, catalog.items.map(lookFor))
        : h("p", { class: "notice", role: "alert" }, "The leadership look-fors are not saved on this tablet yet: open this page once online."),
      h("section", { class: "card evidence", "aria-labelledby": "practice-evidence-heading" },
        h("h2", { id: "practice-evidence-heading" }, "Evidence"),
        h("div", { class: "field" }, h("label", { for: "practice-evidence-text" }, "Low-inference note"), evidence,
          h("p", { class: "hint", id: "practice-evidence-hint" }, "What participants did and said, e.g. “teachers spoke for 14 of 20 minutes”.")),
        h("div", { class: "field" }, h("label", { for: "practice-evidence-item" }, "About look-for (optional)"), about),
        problems.get("evidence") ? h("p", { class: "error", role: "alert", testid: "practice-evidence-error" }, problems.get("evidence")) : null,
        add,
        h("ul", { class: "evidence-list", testid: "practice-evidence-list" }, notes.map((row) => h("li", {},
          h("span", {}, row.event.data.text),
          row.event.data.item ? h("span", { class: "meta" }, ` (${humanize(row.event.data.item)})`) : null,
          h("span", { class: `tap-status ${pendingIds.has(row.id) ? "is-pending" : "is-sent"}` },
            pendingIds.has(row.id) ? " pending" : " sent"))))),
      h("div", { class: "action-bar" },
        h("a", { href: back, "data-link": true, class: "button-link primary", testid: "practice-done" }, "Done"),
        withdraw, withdrawConfirm));
    for (const [input, value] of counts) {
      if (document.activeElement !== input) input.value = value === null ? "" : String(value);
    }
  };
  await render();
  // Taps turn from pending to sent when the outbox is answered: redraw then, not on every
  // status change (a redraw while the coach taps would be wasted work).
  let seen = "";
  const unsubscribe = outbox.onChange((st) => {
    const now = `${st.pending}|${st.lastSynced}|${st.rejected.length}`;
    if (now === seen) return;
    seen = now;
    render().catch(() => {});
  });
  return () => { disposed = true; unsubscribe(); };
}
