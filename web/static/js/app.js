// The app: boot, routing (history API), the sync status bar, the service worker.

import { ApiError, AuthError, NetworkError, clearToken, getJson, getToken } from "./api.js";
import { ago, h, humanize, replace, formatTime, useTimeZone } from "./dom.js";
import * as outbox from "./outbox.js";
import { matchRoute, routeNames } from "./routes.js";
import { kvDeletePrefix, kvSet } from "./store.js";
import { renderCalibration } from "./views/calibration.js";
import { loadVisit, renderCapture } from "./views/capture.js";
import { renderCatalogs } from "./views/catalogs.js";
import { renderCycleDebrief } from "./views/debrief.js";
import { renderDistrict } from "./views/district.js";
import { renderDistrictGrowth } from "./views/district-growth.js";
import { renderGrowth } from "./views/growth.js";
import { renderGuides } from "./views/guides.js";
import { renderSkills } from "./views/skills.js";
import { renderInventory } from "./views/inventory.js";
import { renderOpen } from "./views/open.js";
import { renderMeeting, renderPartnerships } from "./views/partnerships.js";
import { renderPeople } from "./views/people.js";
import { renderPlan } from "./views/plan.js";
import { renderPractice } from "./views/practice.js";
import { renderNotice, renderThanks } from "./views/printables.js";
import { renderSummary } from "./views/reports.js";
import { renderMatches, renderSchools } from "./views/schools.js";
import { renderSchoolCalendar } from "./views/school-calendar.js";
import { renderSignIn } from "./views/signin.js";
import { renderVisitDay } from "./views/visit-day.js";
import { renderVisits } from "./views/visits.js";

const main = document.getElementById("main");
const els = {
  syncBar: document.querySelector("[data-testid=sync-bar]"),
  pending: document.querySelector("[data-testid=pending-count]"),
  pendingLabel: document.querySelector("[data-role=pending-label]"),
  pendingLine: document.querySelector("[data-role=pending-line]"),
  sentWords: document.querySelector("[data-role=sent-words]"),
  others: document.querySelector("[data-testid=others-waiting]"),
  lastSynced: document.querySelector("[data-testid=last-synced]"),
  syncState: document.querySelector("[data-testid=sync-state]"),
  syncNow: document.querySelector("[data-testid=sync-now]"),
  offline: document.querySelector("[data-testid=offline-banner]"),
  rejectedSection: document.querySelector("[data-testid=rejected-list]"),
  rejectedItems: document.querySelector("[data-role=rejected-items]"),
  account: document.querySelector("[data-role=account]"),
  userName: document.querySelector("[data-testid=user-name]"),
  signOut: document.querySelector("[data-testid=sign-out]"),
  signOutWarning: document.querySelector("[data-testid=sign-out-warning]"),
  update: document.querySelector("[data-testid=update-banner]"),
  reload: document.querySelector("[data-testid=reload-app]"),
};

let me = null;
let dispose = null;
let routeToken = 0;
let onSignInScreen = false;

function setTitle(title) {
  document.title = `${title} · Walkthrough`;
}

function focusHeading() {
  const heading = main.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: false });
  }
}

export function navigate(path, { replaceState = false } = {}) {
  if (replaceState) history.replaceState({}, "", path);
  else history.pushState({}, "", path);
  route();
}

async function loadMe() {
  const { data, stale } = await getJson("/api/me");
  me = data;
  useTimeZone(me.time_zone);
  els.account.hidden = false;
  els.userName.textContent = me.user ? me.user.name : "";
  if (outbox.currentUser() !== me.user.id) await outbox.setUser(me.user.id);
  return { me: data, stale };
}

/**
 * The code of a sign-in link (`/signin#code=...`), taken out of the address bar and the
 * history at once: it works only once anyway, and should not sit on the screen.
 */
function takeLinkCode() {
  if (location.pathname !== "/signin" || !location.hash) return null;
  const code = new URLSearchParams(location.hash.slice(1)).get("code");
  history.replaceState({}, "", "/signin");
  return code || null;
}

function showSignIn(reason = null, linkCode = null) {
  if (dispose) { dispose(); dispose = null; }
  onSignInScreen = true;
  els.account.hidden = true;
  const st = outbox.status();
  renderSignIn(main, {
    reason,
    linkCode,
    pending: st.pending + st.pendingOtherUsers,
    setTitle,
    onKeep: () => navigate("/", { replaceState: true }),  // a link declined: still signed in
    onSignedIn: async (data) => {
      const previous = outbox.currentUser();
      if (previous && previous !== data.user.id) await forgetSavedAnswers();  // another person
      me = data;
      await kvSet("get:/api/me", { data, at: new Date().toISOString() });
      await outbox.setUser(data.user.id);
      outbox.flush({ force: true }).catch(() => {});
      const next = location.pathname === "/signin" ? "/" : location.pathname;
      navigate(next, { replaceState: true });
    },
  });
}

function showProblem(title, message) {
  setTitle(title);
  replace(main,
    h("h1", { tabindex: "-1" }, title),
    h("p", { class: "error", role: "alert", testid: "page-error" }, message),
    h("p", {}, h("a", { href: "/", "data-link": true }, "← Back to your visits")));
}

/**
 * Each screen of the route table (routes.js) by name: it draws into `main` and may
 * return what to undo when the next route is shown (timers, listeners).
 */
const SCREENS = {
  visits: (_, { stale, token }) => {
    renderVisits(main, me, { stale, setTitle });
    if (!stale) prepareForCapture(me, token);
  },
  district: () => show(renderDistrict(main, me, { setTitle })),
  people: () => renderPeople(main, me, { setTitle }),
  growth: ({ person }) => show(renderGrowth(main, person, me, { setTitle, navigate })),
  practice: ({ person, practice }) => show(renderPractice(main, person, practice, me, { setTitle, navigate })),
  "district-growth": () => show(renderDistrictGrowth(main, me, { setTitle })),
  schools: () => show(renderSchools(main, me, { setTitle })),
  matches: ({ school }) => show(renderMatches(main, school, me, { setTitle, navigate })),
  partnerships: () => show(renderPartnerships(main, me, { setTitle })),
  meeting: ({ partnership }) => show(renderMeeting(main, partnership, me, { setTitle })),
  inventory: () => show(renderInventory(main, me, { setTitle })),
  guides: () => show(renderGuides(main, me, { setTitle })),
  skills: () => show(renderSkills(main, me, { setTitle })),
  open: () => show(renderOpen(main, me, { setTitle })),
  calibration: (_, { path }) => renderCalibration(main, path, me, { setTitle }),
  calendar: () => show(renderSchoolCalendar(main, me, { setTitle })),
  catalogs: () => show(renderCatalogs(main, me, { setTitle })),
  capture: ({ visit }) => show(renderCapture(main, visit, { setTitle })),
  summary: ({ visit }) => renderSummary(main, visit, { setTitle }),
  debrief: ({ visit }) => show(renderCycleDebrief(main, visit, me, { setTitle })),
  "visit-day": ({ visit }) => show(renderVisitDay(main, visit, me, { setTitle })),
  plan: ({ visit }) => show(renderPlan(main, visit, me, { setTitle })),
  notice: ({ visit }) => renderNotice(main, visit, { setTitle }),
  thanks: ({ visit }) => renderThanks(main, visit, { setTitle }),
};
for (const name of routeNames()) {
  if (typeof SCREENS[name] !== "function") throw new Error(`route "${name}" has no screen in app.js`);
}

/** A screen drawn: keep what it returns to undo when the next route is shown. */
async function show(rendering) {
  dispose = (await rendering) || null;
}

async function route() {
  const token = ++routeToken;
  if (dispose) { dispose(); dispose = null; }
  onSignInScreen = false;
  const path = location.pathname;
  if (!getToken() || path === "/signin") {
    showSignIn(null, takeLinkCode());
    return;
  }
  try {
    const { stale } = await loadMe();
    if (token !== routeToken) return;
    const found = matchRoute(path);
    if (found) await SCREENS[found.name](found.params, { stale, token, path });
    else showProblem("Not found", "There is no page here.");
    if (token === routeToken) focusHeading();
  } catch (error) {
    if (token !== routeToken) return;
    if (error instanceof AuthError) {
      showSignIn(error.code === "token_expired"
        ? "Your sign-in has expired. Sign in again to continue."
        : "Please sign in again.");
    } else if (error instanceof NetworkError) {
      showProblem("Offline", "This page has not been saved on this tablet yet. It will load when the network is back.");
    } else if (error instanceof ApiError) {
      const messages = {
        403: "You do not have access to this visit.",
        404: "This visit does not exist (or is not visible to you).",
      };
      showProblem(error.status === 404 ? "Not found" : "Cannot open this page",
        messages[error.status] || `${error.message} (${error.code})`);
    } else {
      console.error(error);
      showProblem("Something went wrong", String(error && error.message ? error.message : error));
    }
  }
}

/**
 * Ready before the school: save on this tablet what capture needs (the visit with its
 * catalog, rooms and the team's state) for each visit of this coach in observation, so
 * Capture opens with no network on a device that never opened it. Says when it is done.
 */
async function prepareForCapture(person, token) {
  const visits = (person.visits || []).filter((v) => v.relation === "team" && v.phase === "observation");
  const note = main.querySelector("[data-testid=offline-ready]");
  if (!visits.length || !note) return;
  let saved = 0;
  for (const visit of visits) {
    try {
      await loadVisit(visit.id);
      saved += 1;
    } catch (error) {
      if (error instanceof AuthError) return;
      // offline or refused: what was saved before stays
    }
  }
  if (token !== routeToken) return;
  note.hidden = false;
  note.dataset.saved = String(saved);
  note.textContent = saved === visits.length
    ? `Ready offline: capture for ${saved === 1 ? "your visit" : `your ${saved} visits`} is saved on this tablet.`
    : `Saved for offline capture: ${saved} of ${visits.length} visits (the rest when the network is back).`;
}

// --- sync status ---------------------------------------------------------------------

function quote(text) {
  const value = String(text);
  return `“${value.length > 60 ? `${value.slice(0, 60)}…` : value}”`;
}

/** What a rejected entry was, in words: an event (a tap, a note, a step...) or a form. */
function describeEntry(row) {
  if (row.request) return row.request.label || `${row.request.method} ${row.request.path}`;
  const event = row.event || {};
  const data = event.data || {};
  const parts = [humanize(event.type || "event")];
  if (data.item) parts.push(String(data.item));
  if (data.value !== undefined && typeof data.value !== "object") parts.push(`= ${data.value}`);
  if (data.label) parts.push(quote(data.label));
  for (const key of ["text", "note", "progress"]) {
    if (typeof data[key] === "string" && !data.label) parts.push(quote(data[key]));
  }
  return parts.join(" ");
}

/** "3 taps", "1 tap", "2 changes" (taps and forms together). */
function waitingNoun(st) {
  const n = st.pending;
  if (st.pendingTaps === n) return n === 1 ? "tap" : "taps";
  return n === 1 ? "change" : "changes";
}

/** The words of the sync bar: what is true now, never "Last synced never" after a sync. */
function renderStatus(st) {
  els.syncBar.hidden = !getToken() && st.pending === 0 && st.pendingOtherUsers === 0;
  const offline = st.offline || !navigator.onLine;
  els.pending.textContent = String(st.pending);
  let waiting = "";
  if (st.pending > 0) {
    if (st.authRequired) waiting = "waiting – sign in to send them";
    else if (offline) waiting = "waiting – they will send when the network is back";
    else if (st.syncing) waiting = "waiting – sending now";
    else if (st.lastError) {
      const wait = st.nextAttemptAt ? Math.max(0, Math.round((st.nextAttemptAt - Date.now()) / 1000)) : 0;
      waiting = wait ? `waiting – the server did not take them yet; trying again in ${wait} s`
        : "waiting – the server did not take them yet; trying again";
    } else waiting = "waiting to send";
  }
  els.pendingLabel.textContent = st.pending > 0 ? `${waitingNoun(st)} ${waiting}` : "waiting to send";
  // With nothing waiting the count stays for screen readers and scripts, the words say it.
  els.pendingLine.classList.toggle("visually-hidden", st.pending === 0);
  if (st.lastSynced) {
    els.lastSynced.setAttribute("datetime", st.lastSynced);
    els.lastSynced.title = formatTime(st.lastSynced);
    els.lastSynced.textContent = ago(st.lastSynced);
    els.sentWords.textContent = st.pending === 0 ? "All sent" : "Last sent";
  } else {
    els.lastSynced.removeAttribute("datetime");
    els.lastSynced.textContent = "";
    els.sentWords.textContent = st.pending === 0 ? "Nothing waiting to send" : "Nothing sent from this tablet yet";
  }
  els.others.hidden = st.pendingOtherUsers === 0;
  els.others.textContent = st.pendingOtherUsers === 0 ? "" : `${st.pendingOtherUsers} recorded by someone who used `
    + "this tablet before you are kept for them: they are sent when that person signs in here again.";
  els.syncState.textContent = st.syncing ? "Sending…" : (st.authRequired ? "Sign in to send." : "");
  els.syncBar.classList.toggle("has-pending", st.pending > 0);
  els.offline.hidden = !(st.offline || !navigator.onLine);
  els.rejectedSection.hidden = st.rejected.length === 0;
  replace(els.rejectedItems, st.rejected.map((row) => {
    const dismiss = h("button", { type: "button", class: "secondary small", testid: "dismiss-rejected" }, "Dismiss");
    dismiss.addEventListener("click", () => outbox.dismissRejected(row.id));
    return h("li", { testid: "rejected-item", dataset: { eventId: row.id } },
      h("span", { class: "what" }, describeEntry(row)),
      h("span", { class: "meta" }, ` recorded ${formatTime(row.event ? row.event.occurred_at : row.request.at)}`),
      h("span", { class: "reason" }, `${row.error.message} (${row.error.code})`),
      dismiss);
  }));
  if (st.authRequired && !onSignInScreen && getToken()) {
    showSignIn("Your sign-in has expired or was refused. Sign in again; nothing recorded is lost.");
  }
}

// "all sent 2 minutes ago" stays true as time passes.
setInterval(() => renderStatus(outbox.status()), 30000);

els.syncNow.addEventListener("click", () => { outbox.flush({ force: true }).catch(() => {}); });

/** Drop the API answers kept for offline reading (they are the signed-in person's). */
async function forgetSavedAnswers() {
  await kvDeletePrefix("get:");
  if (navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage({ type: "clear-api-cache" });
  }
}

/**
 * Sign out. With events not sent yet, the first tap says so (they stay on this tablet,
 * kept for this person, and are sent when they sign in here again, never as the next
 * person); a second tap signs out.
 */
els.signOut.addEventListener("click", async () => {
  const waiting = outbox.status().pending;
  if (waiting > 0 && els.signOut.dataset.armed !== "true") {
    els.signOut.dataset.armed = "true";
    els.signOut.textContent = "Sign out anyway";
    els.signOutWarning.hidden = false;
    els.signOutWarning.textContent = `${waiting} ${waiting === 1 ? "tap is" : "taps are"} not sent yet. `
      + "They stay on this tablet, kept for you, and are sent when you sign in here again.";
    return;
  }
  disarmSignOut();
  clearToken();
  await outbox.setUser(null);
  me = null;
  await forgetSavedAnswers();
  navigate("/signin");
  if (waiting > 0) {
    showSignIn(`You are signed out. Your ${waiting} ${waiting === 1 ? "tap" : "taps"} not sent yet `
      + "stay on this tablet for you: they are sent when you sign in here again.");
  }
});

function disarmSignOut() {
  delete els.signOut.dataset.armed;
  els.signOut.textContent = "Sign out";
  els.signOutWarning.hidden = true;
  els.signOutWarning.textContent = "";
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-link]");
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});

window.addEventListener("popstate", () => route());
window.addEventListener("online", () => {
  renderStatus(outbox.status());
  // The visit list open when the network comes back: save capture for its visits again.
  if ((location.pathname === "/" || location.pathname === "/index.html") && getToken()) route();
});
window.addEventListener("offline", () => renderStatus(outbox.status()));

// --- service worker ----------------------------------------------------------------------

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  const hadController = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (hadController) els.update.hidden = false;
  });
  try {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  } catch (error) {
    console.warn("service worker not registered", error);
  }
}

els.reload.addEventListener("click", () => location.reload());

async function boot() {
  outbox.onChange(renderStatus);
  outbox.start();
  outbox.requestPersistence();
  registerServiceWorker();
  await route();
  document.documentElement.dataset.ready = "true";
}

boot();
