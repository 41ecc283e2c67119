// The district's school days, as the server decides them (walkthrough/school_calendar.py):
// weekends and the closures organizers entered are not school days. Pure functions, so
// the planning form can warn offline from the calendar saved on this tablet.

const WEEKEND = new Set([0, 6]);  // Sunday, Saturday (Date.getUTCDay)

function dayOf(iso) {
  return new Date(`${iso}T00:00:00Z`);
}

/** Why `iso` (YYYY-MM-DD) is not a school day, in words; null on a school day. */
export function whyNotASchoolDay(iso, closures) {
  const closure = (closures || []).find((c) => c.start <= iso && iso <= c.end);
  if (closure) return `it is in ${closure.label} (${closure.start} to ${closure.end})`;
  if (WEEKEND.has(dayOf(iso).getUTCDay())) return "it is a weekend day";
  return null;
}

/** The first school day on or after `iso` (within a year; else `iso` itself). */
export function firstSchoolDay(iso, closures) {
  const day = dayOf(iso);
  for (let n = 0; n < 366; n += 1) {
    const candidate = new Date(day.getTime() + n * 86400000).toISOString().slice(0, 10);
    if (!whyNotASchoolDay(candidate, closures)) return candidate;
  }
  return iso;
}

/** Closures sorted and without exact repeats. */
export function tidy(closures) {
  const seen = new Set();
  return closures
    .filter((c) => { const key = `${c.start}|${c.end}|${c.label}`; return !seen.has(key) && seen.add(key); })
    .sort((a, b) => (a.start + a.end + a.label).localeCompare(b.start + b.end + b.label));
}
