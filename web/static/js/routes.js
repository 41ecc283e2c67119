// The app's addresses: one table, each path pattern with the name of the screen that
// shows it (app.js holds the screens by name). A `:name` segment is one path segment,
// handed to the screen decoded; a trailing slash is allowed.

export const ROUTES = Object.freeze([
  ["/", "visits"],
  ["/index.html", "visits"],
  ["/district", "district"],
  ["/people", "people"],
  ["/people/:person/growth", "growth"],
  ["/people/:person/growth/practice/:practice", "practice"],
  ["/growth", "district-growth"],
  ["/schools", "schools"],
  ["/schools/:school/matches", "matches"],
  ["/partnerships", "partnerships"],
  ["/partnerships/:partnership", "meeting"],
  ["/inventory", "inventory"],
  ["/guides", "guides"],
  ["/skills", "skills"],
  ["/open", "open"],
  ["/calibration", "calibration"],
  ["/calibration/district", "calibration"],
  ["/calibration/teams/:team", "calibration"],
  ["/calibration/partnerships/:partnership", "calibration"],
  ["/calendar", "calendar"],
  ["/catalogs", "catalogs"],
  ["/visits/:visit", "capture"],
  ["/visits/:visit/summary", "summary"],
  ["/visits/:visit/debrief", "debrief"],
  ["/visits/:visit/start", "visit-day"],
  ["/visits/:visit/plan", "plan"],
  ["/visits/:visit/notice", "notice"],
  ["/visits/:visit/thanks", "thanks"],
].map(([pattern, name]) => Object.freeze({ pattern, name, ...compile(pattern) })));

function compile(pattern) {
  const params = [];
  const source = pattern.split("/").map((segment) => {
    if (!segment.startsWith(":")) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    params.push(segment.slice(1));
    return "([^/]+)";
  }).join("/");
  return { params, regex: new RegExp(pattern === "/" ? "^/$" : `^${source}/?$`) };
}

/**
 * The route a path is shown by: `{ name, params }` (params decoded), or null when no
 * route has this address. A parameter that is not valid percent-encoding matches nothing.
 */
export function matchRoute(path) {
  for (const route of ROUTES) {
    const found = route.regex.exec(path);
    if (!found) continue;
    try {
      const params = Object.fromEntries(route.params.map((key, i) => [key, decodeURIComponent(found[i + 1])]));
      return { name: route.name, params };
    } catch (error) {
      if (error instanceof URIError) return null;
      throw error;
    }
  }
  return null;
}

/** The screen names the table uses (app.js must show each one). */
export function routeNames() {
  return [...new Set(ROUTES.map((route) => route.name))];
}
