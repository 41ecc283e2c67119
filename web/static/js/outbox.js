// The outbox: every event is written to IndexedDB first, then sent in order, in
// batches, to POST /api/sync. An event leaves the outbox only when the server
// answered for it (accepted, duplicate, conflict or rejected); network errors and
// 5xx keep everything and retry with exponential backoff. One flush at a time
// (also across tabs, with a Web Lock).
//
// Organizers' forms (needs assessments, inventories, partnerships, catalogs) are not
// events but POSTs: they are a second kind of entry, `request` {method, path, body},
// sent in order with the events, one at a time, with `Idempotency-Key: <entry id>` so
// that a resend after a lost answer records nothing twice. A 4xx answer is final (the
// entry is listed as rejected with its reason); no answer, 5xx or 429 are retried.

import { AuthError, NetworkError, ApiError, getToken, request as httpRequest, sync } from "./api.js";
import {
  backoffDelay, nextBatch, nextInstant, refused, refusedForGood, resultsById, settles,
} from "./outbox-rules.js";
import { getAll, kvGet, kvSet, transaction } from "./store.js";

const INTERVAL_MS = 5000;

const listeners = new Set();
let state = {
  pending: 0,
  pendingTaps: 0,
  pendingOtherUsers: 0,
  lastSynced: null,
  lastError: null,
  offline: !navigator.onLine,
  authRequired: false,
  syncing: false,
  rejected: [],
  nextAttemptAt: 0,
};
let user = null;
// The token the signed-in user's events are sent with: a token changed without setUser
// (another person signing in on a shared tablet) never sends this user's events.
let userToken = null;
let inFlight = null;
let failures = 0;
let retryTimer = null;
let lastOccurredAt = 0;
let clockReady = Promise.resolve();
const CLOCK_KEY = "clock:last";

export function onChange(listener) {
  listeners.add(listener);
  listener(state);
  return () => listeners.delete(listener);
}

function emit(patch) {
  state = { ...state, ...patch };
  for (const listener of listeners) {
    try { listener(state); } catch (error) { console.error(error); }
  }
}

export function status() {
  return state;
}

/**
 * The signed-in user whose events are sent (events carry the user who recorded them);
 * null when signed out: every user's events stay kept, each for its own user, and are
 * sent only when that user signs in again on this device.
 */
export async function setUser(userId) {
  user = userId;
  userToken = userId ? getToken() : null;
  if (!userId) {
    clearTimeout(retryTimer);
    retryTimer = null;
  }
  emit({ authRequired: false });
  await refresh();
}

/** True when the token in use is the one the current user signed in with. */
function tokenIsUsers() {
  return !!user && !!userToken && getToken() === userToken;
}

export function currentUser() {
  return user;
}

/**
 * occurred_at strictly increasing on this device, so "the coach's latest tap counts" is
 * this device's own order - even when its clock is set back (say, by the network time
 * once back online) and across reloads.
 */
function nextOccurredAt() {
  lastOccurredAt = nextInstant(Date.now(), lastOccurredAt);
  return new Date(lastOccurredAt).toISOString();
}

async function loadClock() {
  const kept = Number(await kvGet(CLOCK_KEY)) || 0;
  const rows = await getAll("journal");
  let last = kept;
  for (const row of rows) {
    const at = Date.parse(row.event.occurred_at);
    if (at > last) last = at;
  }
  if (last > lastOccurredAt) lastOccurredAt = last;
}

/**
 * Record an event: outbox + journal in one IndexedDB transaction, committed
 * before this resolves. Then a flush is attempted in the background.
 */
export async function record(visitId, type, data, { flush: flushAfter = true } = {}) {
  if (!user) throw new Error("sign in before recording");
  await clockReady;
  const event = {
    id: crypto.randomUUID(),
    visit_id: visitId,
    type,
    occurred_at: nextOccurredAt(),
    data,
  };
  await transaction(["outbox", "journal", "kv"], "readwrite", async (s, req) => {
    const seq = await req(s.outbox.add({ id: event.id, user, event }));
    s.journal.put({ id: event.id, visit_id: visitId, user, seq, status: "pending", event });
    s.kv.put({ key: CLOCK_KEY, value: lastOccurredAt });
  });
  await refresh();
  if (flushAfter) flush().catch(() => {});
  return event;
}

/**
 * Queue a request (an organizer's form): outbox + journal in one transaction, like an
 * event. `label` says what it is in the rejected list; `visitId` files it in the journal.
 */
export async function send(method, path, body, { label = null, visitId = "district", flush: flushAfter = true,
  forget = false } = {}) {
  if (!user) throw new Error("sign in before recording");
  const id = crypto.randomUUID();
  const entry = { method, path, body, label: label || `${method} ${path}`, at: new Date().toISOString() };
  // `forget`: the body (a roster, staff names) leaves this tablet once the server answered.
  if (forget) entry.forget = true;
  await transaction(["outbox", "journal"], "readwrite", async (s, req) => {
    const seq = await req(s.outbox.add({ id, user, request: entry }));
    s.journal.put({ id, visit_id: visitId, user, seq, status: "pending", request: entry });
  });
  await refresh();
  if (flushAfter) flush().catch(() => {});
  return id;
}

/** What became of one recorded entry: { status: pending|synced|rejected, error? }. */
export async function outcome(id) {
  const [entry, rejected] = await transaction(["journal", "rejected"], "readonly",
    async (s, req) => [await req(s.journal.get(id)), await req(s.rejected.get(id))]);
  if (!entry) return { status: "unknown" };
  return { status: entry.status, error: rejected ? rejected.error : null };
}

/** Send now and say what became of `id` (pending when offline or the server is away). */
export async function settled(id) {
  // A flush already under way may have read the outbox before `id` was added: joined,
  // it can end with `id` still queued, so a fresh one is started for it.
  const joined = inFlight !== null;
  try { await flush({ force: true }); } catch { /* kept in the outbox */ }
  const result = await outcome(id);
  if (!joined || result.status !== "pending") return result;
  try { await flush({ force: true }); } catch { /* kept in the outbox */ }
  return outcome(id);
}

/** Events of one visit this device recorded, in recording order, with their status. */
export async function journal(visitId) {
  const rows = await transaction(["journal"], "readonly",
    (s, req) => req(s.journal.index("visit_id").getAll(visitId)));
  return rows.sort((a, b) => a.seq - b.seq);
}

let refreshes = 0;

async function refresh() {
  // Only the latest read is shown: an older one finishing later (say, a flush's, read
  // just before a tap was recorded) would show a stale count ("0 waiting" with one queued).
  const ticket = ++refreshes;
  const rows = await getAll("outbox");
  const own = user ? rows.filter((row) => row.user === user) : [];
  // Only the signed-in user's refusals are shown (a refusal shows what was recorded).
  const rejected = (await getAll("rejected"))
    .filter((row) => user && (!row.user || row.user === user))
    .sort((a, b) => (a.at < b.at ? -1 : 1));
  const lastSynced = (await kvGet(user ? `sync:last:${user}` : "sync:last")) || null;
  if (ticket !== refreshes) return;
  emit({ pending: own.length, pendingTaps: own.filter((row) => row.event).length,
    pendingOtherUsers: rows.length - own.length, rejected, lastSynced });
}

export async function dismissRejected(id) {
  await transaction(["rejected"], "readwrite", (s) => { s.rejected.delete(id); });
  await refresh();
}

function scheduleRetry(retryAfterSeconds = null) {
  failures += 1;
  const delay = backoffDelay(failures, retryAfterSeconds);
  const nextAttemptAt = Date.now() + delay;
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => flush({ force: true }).catch(() => {}), delay);
  emit({ nextAttemptAt });
}

function resetBackoff() {
  failures = 0;
  clearTimeout(retryTimer);
  retryTimer = null;
  emit({ nextAttemptAt: 0 });
}

/**
 * Send the outbox now. `force` ignores the backoff window (reconnect, "Sync now").
 * Resolves when the outbox is empty or the attempt stopped on an error.
 */
export function flush({ force = false } = {}) {
  if (inFlight) return inFlight;
  if (!tokenIsUsers() || state.authRequired) return Promise.resolve();
  if (!force && Date.now() < state.nextAttemptAt) return Promise.resolve();
  if (!navigator.onLine) {
    emit({ offline: true });
    return Promise.resolve();
  }
  const run = async () => {
    emit({ syncing: true });
    try {
      await drain();
    } finally {
      emit({ syncing: false });
    }
  };
  const locked = navigator.locks
    ? navigator.locks.request("walkthrough-outbox", run)
    : run();
  inFlight = locked.finally(() => { inFlight = null; });
  return inFlight;
}

async function drain() {
  for (;;) {
    if (!tokenIsUsers()) return; // signed out (or another person signed in) meanwhile
    const queued = (await getAll("outbox"))
      .filter((row) => row.user === user)
      .sort((a, b) => a.seq - b.seq);
    if (queued.length === 0) {
      resetBackoff();
      await refresh();
      return;
    }
    const { request, events: rows } = nextBatch(queued);
    if (request) {
      if (!(await sendRequest(request))) return;
      continue;
    }
    let results;
    try {
      const { data } = await sync(rows.map((row) => row.event));
      results = Array.isArray(data && data.results) ? data.results : [];
    } catch (error) {
      if (error instanceof AuthError) {
        emit({ authRequired: true, lastError: error.message });
        return;
      }
      if (error instanceof NetworkError) {
        emit({ offline: true, lastError: "no connection to the server; taps are kept on this tablet" });
      } else if (error instanceof ApiError) {
        emit({ offline: false, lastError: `server answered ${error.status} ${error.code}: ${error.message}` });
      } else {
        emit({ lastError: String(error) });
      }
      scheduleRetry(error instanceof ApiError ? error.retryAfter : null);
      return;
    }
    const settled = await settle(rows, results);
    const at = new Date().toISOString();
    await markSynced(at);
    failures = 0;
    emit({ offline: false, lastError: null, nextAttemptAt: 0 });
    await refresh();
    if (settled === 0) {
      // An answer that names none of the events sent: do not spin, try again later.
      emit({ lastError: "the server's answer did not match the events sent" });
      scheduleRetry();
      return;
    }
  }
}

/** When this user's outbox last had an answer from the server (shown as "all sent ..."). */
async function markSynced(at) {
  await kvSet(`sync:last:${user}`, at);
}

/** Send one queued request; true when it was answered for good (sent or refused). */
async function sendRequest(row) {
  const { method, path, body } = row.request;
  let error = null;
  try {
    await httpRequest(method, path, body, { headers: { "Idempotency-Key": row.id } });
  } catch (failure) {
    if (failure instanceof AuthError) {
      emit({ authRequired: true, lastError: failure.message });
      return false;
    }
    const final = failure instanceof ApiError && refusedForGood(failure.status);
    if (!final) {
      emit(failure instanceof NetworkError
        ? { offline: true, lastError: "no connection to the server; kept on this tablet" }
        : { offline: false, lastError: `server answered ${failure.status || ""} ${failure.code || failure}` });
      scheduleRetry(failure instanceof ApiError ? failure.retryAfter : null);
      return false;
    }
    error = { code: failure.code, message: failure.message };
  }
  const at = new Date().toISOString();
  const kept = row.request.forget ? { ...row.request, body: null } : row.request;
  await transaction(["outbox", "journal", "rejected"], "readwrite", async (s, req) => {
    s.outbox.delete(row.seq);
    const entry = await req(s.journal.get(row.id));
    if (entry) {
      entry.status = error ? "rejected" : "synced";
      entry.request = kept;
      s.journal.put(entry);
    }
    if (error) s.rejected.put({ id: row.id, user: row.user, status: "rejected", error, request: kept, at });
  });
  await markSynced(at);
  failures = 0;
  emit({ offline: false, lastError: null, nextAttemptAt: 0 });
  await refresh();
  return true;
}

/** Apply the server's per-event results: drop answered events, keep the rest. */
async function settle(rows, results) {
  const byId = resultsById(rows, results);
  const at = new Date().toISOString();
  let settled = 0;
  await transaction(["outbox", "journal", "rejected"], "readwrite", async (s, req) => {
    for (const row of rows) {
      const result = byId.get(row.id);
      if (!settles(result)) continue;
      settled += 1;
      s.outbox.delete(row.seq);
      const entry = await req(s.journal.get(row.id));
      if (entry) {
        entry.status = refused(result) ? "rejected" : "synced";
        s.journal.put(entry);
      }
      if (refused(result)) {
        const error = result.error || {
          code: "conflict",
          message: "an event with this id was already stored with different content",
        };
        s.rejected.put({ id: row.id, user: row.user, status: result.status, error, event: row.event, at });
      }
    }
  });
  return settled;
}

/** Start the background loop: on load, on reconnect, on an interval. */
export function start() {
  // Keep occurred_at increasing across reloads, even if the clock stepped back.
  clockReady = loadClock().catch(() => {});
  window.addEventListener("online", () => {
    emit({ offline: false });
    resetBackoff();
    flush({ force: true }).catch(() => {});
  });
  window.addEventListener("offline", () => emit({ offline: true }));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") flush().catch(() => {});
  });
  setInterval(() => {
    if (state.pending > 0) flush().catch(() => {});
  }, INTERVAL_MS);
  flush().catch(() => {});
}

export async function requestPersistence() {
  try {
    if (navigator.storage && navigator.storage.persist) {
      const already = await navigator.storage.persisted();
      const granted = already || await navigator.storage.persist();
      await kvSet("storage:persisted", granted);
      return granted;
    }
  } catch { /* not supported */ }
  return false;
}
