// Small DOM helpers: build elements node by node (CSP-friendly, no HTML injection).

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") el.className = value;
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name === "testid") el.setAttribute("data-testid", value);
    else if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "value") el.value = value;
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

/** "small_groups" -> "Small groups", "not_observed" -> "Not observed". */
export function humanize(key) {
  const special = { cfu: "CFU", ela: "ELA", pe: "PE", cte: "CTE", yes: "Yes", no: "No" };
  if (special[key]) return special[key];
  const text = String(key).replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// The district's time zone (from /api/me): every time is shown as the school's clock
// reads it, whatever zone this tablet's own clock is set to.
let districtZone;

export function useTimeZone(zone) {
  try {
    new Intl.DateTimeFormat([], { timeZone: zone });
    districtZone = zone;
  } catch {
    districtZone = undefined;  // an unknown zone: the tablet's own
  }
}

export function formatTime(iso) {
  if (!iso) return "never";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: districtZone });
}

/** A wall-clock time of the school ("08:30:00") as the tablet's locale writes it. */
export function formatClock(hhmmss) {
  if (!hhmmss) return "";
  const [hours, minutes] = hhmmss.split(":").map(Number);
  return new Date(Date.UTC(2000, 0, 1, hours, minutes)).toLocaleTimeString([],
    { hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
}

export function formatDate(isoDate) {
  if (!isoDate) return "";
  const d = new Date(`${isoDate}T12:00:00`);
  if (Number.isNaN(d.getTime())) return String(isoDate);
  return d.toLocaleDateString([], { weekday: "short", year: "numeric", month: "short", day: "numeric" });
}

export function percent(rate) {
  return rate === null || rate === undefined ? "–" : `${Math.round(rate * 100)}%`;
}

/** "1 room", "3 rooms". */
export function rooms(count) {
  return `${count} ${count === 1 ? "room" : "rooms"}`;
}
