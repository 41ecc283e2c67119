// The outbox's rules, pure (outbox.js keeps the IndexedDB and the network): how long to
// wait after a failure, which queued rows go in one sync, which answers settle a row,
// and the device's strictly increasing event clock.

export const BATCH_SIZE = 100;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 30000;
const RETRY_AFTER_CAP_MS = 120000;
// A sync answer that settles an event for good (the rest stay queued and are sent again).
const DONE = new Set(["accepted", "duplicate", "conflict", "rejected"]);

/**
 * The wait before the next attempt after `failures` failures in a row: exponential,
 * capped, jittered (half to all of it), never shorter than the server's Retry-After
 * (itself capped at two minutes). `random` is Math.random, given for the tests.
 */
export function backoffDelay(failures, retryAfterSeconds = null, random = Math.random) {
  const exp = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  const hinted = retryAfterSeconds ? Math.min(retryAfterSeconds * 1000, RETRY_AFTER_CAP_MS) : 0;
  return Math.max(jittered, hinted);
}

/**
 * What to send next from the queue (in `seq` order): a queued request alone, or the
 * events up to the next request, at most a batch.
 */
export function nextBatch(queued) {
  if (queued.length === 0) return { request: null, events: [] };
  if (queued[0].request) return { request: queued[0], events: [] };
  const next = queued.findIndex((row) => row.request);
  return { request: null, events: queued.slice(0, Math.min(BATCH_SIZE, next === -1 ? queued.length : next)) };
}

/** The server's per-event results by event id (a result without an id by its position). */
export function resultsById(rows, results) {
  const byId = new Map();
  results.forEach((result, index) => {
    const key = result && result.id ? String(result.id) : (rows[index] && rows[index].id);
    if (key) byId.set(key, result);
  });
  return byId;
}

/** Whether a sync result settles its event; "rejected" or "conflict" settle it refused. */
export function settles(result) {
  return !!result && DONE.has(result.status);
}

export function refused(result) {
  return result.status === "rejected" || result.status === "conflict";
}

/** A refusal of a queued request that sending again cannot change (a 4xx but 408 and 429). */
export function refusedForGood(status) {
  return status >= 400 && status < 500 && ![408, 429].includes(status);
}

/** The next occurred_at in ms: now, or one past the last one when the clock went back. */
export function nextInstant(now, last) {
  return now <= last ? last + 1 : now;
}
