// Service worker: the app shell opens with no network; API reads fall back to the
// last answer. Served at /sw.js with Cache-Control: no-cache, so the browser
// always checks for a new worker; this file is never put in a cache by itself.
//
// Bump CACHE whenever any file in SHELL changes (tests/browser/test_shell.py
// checks SHELL against web/static/ and the digest in tests/browser/shell.lock).

const CACHE = "walkthrough-shell-v16";
const API_CACHE = "walkthrough-api";
const SHELL = [
  "/",
  "/manifest.webmanifest",
  "/static/app.css",
  "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
  "/static/js/access.js",
  "/static/js/api.js",
  "/static/js/app.js",
  "/static/js/capture-state.js",
  "/static/js/debrief-agenda.js",
  "/static/js/dom.js",
  "/static/js/school-days.js",
  "/static/js/forms.js",
  "/static/js/generated/schema.js",
  "/static/js/growth-chart.js",
  "/static/js/growth-state.js",
  "/static/js/names.js",
  "/static/js/outbox.js",
  "/static/js/outbox-rules.js",
  "/static/js/routes.js",
  "/static/js/screening-data.js",
  "/static/js/store.js",
  "/static/js/views/calibration.js",
  "/static/js/views/capture.js",
  "/static/js/views/capture-evidence.js",
  "/static/js/views/capture-rooms.js",
  "/static/js/views/capture-widgets.js",
  "/static/js/views/catalogs.js",
  "/static/js/views/debrief.js",
  "/static/js/views/district.js",
  "/static/js/views/district-growth.js",
  "/static/js/views/growth.js",
  "/static/js/views/guides.js",
  "/static/js/views/skills.js",
  "/static/js/views/inventory.js",
  "/static/js/views/open.js",
  "/static/js/views/partnerships.js",
  "/static/js/views/people.js",
  "/static/js/views/plan.js",
  "/static/js/views/practice.js",
  "/static/js/views/printables.js",
  "/static/js/views/reports.js",
  "/static/js/views/school-calendar.js",
  "/static/js/views/schools.js",
  "/static/js/views/signin.js",
  "/static/js/views/visit-day.js",
  "/static/js/views/visits.js",
];
const SHELL_PATHS = new Set(SHELL);
// Paths the app routes itself (the server answers them all with index.html): the
// addresses of js/routes.js (tests/js/routes.test.js holds the two together).
const APP_ROUTE = /^\/(?:index\.html|signin|people(?:\/[^/]+\/growth(?:\/practice\/[^/]+)?)?|growth|district|schools(?:\/[^/]+\/matches)?|partnerships(?:\/[^/]+)?|inventory|guides|skills|open|catalogs|calendar|calibration(?:\/district|\/teams\/[^/]+|\/partnerships\/[^/]+)?|visits\/[^/]+(?:\/summary|\/debrief|\/start|\/plan|\/notice|\/thanks)?\/?)?$/;
// API reads worth keeping for offline use (never /api/sync, never other writes).
const API_READ = /^\/api\/(?:me|visits\/[^/]+(?:\/summary|\/debrief|\/plan)?|catalogs(?:\/leadership)?(?:\/\d+)?|preparation|people(?:\/[^/]+\/growth)?|growth|partnerships|calendar|schools\/[^/]+\/matches|calibration\/(?:teams(?:\/[^/]+)?|pairs|district|partnerships\/[^/]+)|never-show)$/;
const NETWORK_TIMEOUT_MS = 8000;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // cache: "reload" bypasses the HTTP cache so a new version never precaches stale files.
    await cache.addAll(SHELL.map((path) => new Request(path, { cache: "reload" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name !== CACHE && name !== API_CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "clear-api-cache") {
    event.waitUntil(caches.delete(API_CACHE));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (path === "/sw.js" || path === "/api/sync") return;
  if (path.startsWith("/api/")) {
    if (API_READ.test(path)) event.respondWith(networkFirst(request, url));
    return;
  }
  if (request.mode === "navigate" && APP_ROUTE.test(path)) {
    event.respondWith(shell(request));
    return;
  }
  if (SHELL_PATHS.has(path)) event.respondWith(cacheFirst(request, path));
});

async function shell(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match("/");
  if (cached) return cached;
  return fetch(request);
}

async function cacheFirst(request, path) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(path);
  return cached || fetch(request);
}

function markCached(response) {
  const headers = new Headers(response.headers);
  headers.set("X-Walkthrough-Cache", "hit");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

async function networkFirst(request, url) {
  const cache = await caches.open(API_CACHE);
  const key = url.pathname + url.search;
  const cached = await cache.match(key, { ignoreVary: true });
  const network = fetch(request).then(async (response) => {
    if (response.status === 200) {
      await cache.put(key, response.clone());
    } else if ([401, 403, 404].includes(response.status)) {
      await cache.delete(key);
    }
    return response;
  });
  if (!cached) return network;
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(null), NETWORK_TIMEOUT_MS);
  });
  try {
    const response = await Promise.race([network, timeout]);
    if (response && response.status < 500) return response;
    return markCached(cached);
  } catch {
    return markCached(cached);
  } finally {
    clearTimeout(timer);
  }
}
