// The API client: bearer token, JSON errors, and a local copy of every GET answer
// so visits and catalogs stay readable offline (the service worker keeps one too).

import { kvGet, kvSet } from "./store.js";

const TOKEN_KEY = "walkthrough.token";
const DEVICE_KEY = "walkthrough.device_id";
// Read-your-writes: the log position the server answered this device's last write
// with (X-Walkthrough-Position); every read sends it back (X-Walkthrough-After), so
// the server answers once its read models hold it (bounded), and a coach who just
// synced sees their own taps. Kept in localStorage, so the report pages send it too.
const POSITION_KEY = "walkthrough.position";

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || "error";
    this.retryAfter = retryAfter;
  }
}

/** 401: the token is missing, invalid or expired. The outbox is kept. */
export class AuthError extends ApiError {}

/** No answer at all (offline, connection refused, aborted). */
export class NetworkError extends Error {}

export function getToken() {
  return localStorage.getItem(TOKEN_KEY) || "";
}

export function setToken(token) {
  localStorage.setItem(TOKEN_KEY, token.trim());
}

export function clearToken() {
  localStorage.removeItem(TOKEN_KEY);
}

/** The log position this device's writes reached (0: none yet). */
export function writtenPosition() {
  const position = Number(localStorage.getItem(POSITION_KEY));
  return Number.isSafeInteger(position) && position > 0 ? position : 0;
}

function rememberPosition(response) {
  const position = Number(response.headers.get("X-Walkthrough-Position"));
  if (Number.isSafeInteger(position) && position > writtenPosition()) {
    localStorage.setItem(POSITION_KEY, String(position));
  }
}

export function deviceId() {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(6));
    id = `tablet-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

function retryAfterSeconds(response) {
  const header = response.headers.get("Retry-After");
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const when = Date.parse(header);
  return Number.isNaN(when) ? null : Math.max(0, (when - Date.now()) / 1000);
}

async function errorFrom(response) {
  let code = null;
  let message = null;
  try {
    const body = await response.json();
    if (body && body.error) ({ code, message } = body.error);
  } catch { /* not JSON */ }
  const retryAfter = retryAfterSeconds(response);
  if (response.status === 401) {
    return new AuthError(401, code || "unauthorized", message || "sign in again");
  }
  return new ApiError(response.status, code, message || response.statusText, retryAfter);
}

export async function request(method, path, body = undefined,
  { timeoutMs = 20000, auth = true, headers: extra = {} } = {}) {
  const token = auth ? getToken() : "";
  const headers = { Accept: "application/json", ...extra };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const written = writtenPosition();
  if (method === "GET" && written) headers["X-Walkthrough-After"] = String(written);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "same-origin",
      signal: controller.signal,
    });
  } catch (error) {
    throw new NetworkError(error && error.name === "AbortError" ? "the server did not answer in time" : "no network");
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) throw await errorFrom(response);
  if (method !== "GET") rememberPosition(response);
  try {
    return { data: await response.json(), fromCache: response.headers.get("X-Walkthrough-Cache") === "hit" };
  } catch {
    throw new ApiError(response.status, "bad_response", "the server's answer was not JSON");
  }
}

/**
 * GET with a local fallback: the answer is kept in IndexedDB; when the network
 * (or the server) is not there, the last kept answer is returned with stale=true.
 * 401/403/404 are real answers and are thrown.
 */
export async function getJson(path) {
  const cacheKey = `get:${path}`;
  try {
    const { data, fromCache } = await request("GET", path);
    if (!fromCache) await kvSet(cacheKey, { data, at: new Date().toISOString() });
    return { data, stale: fromCache };
  } catch (error) {
    const transient = error instanceof NetworkError
      || (error instanceof ApiError && !(error instanceof AuthError) && (error.status >= 500 || error.status === 429));
    if (!transient) throw error;
    const kept = await kvGet(cacheKey);
    if (kept) return { data: kept.data, stale: true, at: kept.at };
    throw error;
  }
}

/** Exchange a sign-in link's code for a device token: { token, user }. The code is
 *  the credential, so no bearer token is sent (whoever was signed in before). */
export function redeemSignInLink(code) {
  return request("POST", "/api/signin/link", { code }, { auth: false });
}

export function sync(events) {
  return request("POST", "/api/sync", { device_id: deviceId(), events }, { timeoutMs: 30000 });
}
