/**
 * Store-day arithmetic for the seed tools, kept apart from aggregate-orders' own on purpose (the expected report is
 * a second, independent implementation). Offsets come from Intl, so daylight-saving days are exact.
 */

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function formatOf(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** The wall clock of `timeZone` at instant `ms`: `{ date: 'YYYY-MM-DD', time: 'HH:MM:SS', offset: '+01:00' }`. */
export function wallClock(ms: number, timeZone: string): { date: string; time: string; offset: string } {
  const p: Record<string, string> = {};
  for (const part of formatOf(timeZone).formatToParts(new Date(ms))) p[part.type] = part.value;
  // longOffset is "GMT+01:00", or plain "GMT" at a zero offset.
  const offset = p.timeZoneName === 'GMT' ? '+00:00' : (p.timeZoneName ?? '').slice(3);
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}`, offset };
}

/** RFC 3339 at `ms` with the store's offset at that instant, to the second: `2026-03-29T03:00:00+02:00`. */
export function localTimestamp(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  return `${w.date}T${w.time}${w.offset}`;
}

/**
 * The store-day `day` as UTC instants [from, to): the first instant whose local date is `day` (local midnight, or
 * the end of a gap when midnight is skipped) and the same for the next day. Found by bisection over minutes, as
 * offsets only change on whole minutes and are within ±16 hours of UTC.
 */
export function storeDay(day: string, timeZone: string): { from: number; to: number; hours: number } {
  const from = firstInstantOf(day, timeZone);
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 24 * HOUR_MS).toISOString().slice(0, 10);
  const to = firstInstantOf(next, timeZone);
  return { from, to, hours: Math.round((to - from) / HOUR_MS) };
}

function firstInstantOf(day: string, timeZone: string): number {
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(utcMidnight)) throw new Error(`not a day: ${day}`);
  let lo = (utcMidnight - 16 * HOUR_MS) / MINUTE_MS; // local date is before `day`
  let hi = (utcMidnight + 16 * HOUR_MS) / MINUTE_MS; // local date is `day` or later
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallClock(mid * MINUTE_MS, timeZone).date >= day) hi = mid;
    else lo = mid;
  }
  return hi * MINUTE_MS;
}

/** The hours of a store-day: `start` (RFC 3339 with the offset of that instant) and the UTC instant. */
export function storeHours(day: string, timeZone: string): { start: string; ms: number }[] {
  const { from, hours } = storeDay(day, timeZone);
  return Array.from({ length: hours }, (_, i) => ({
    ms: from + i * HOUR_MS,
    start: localTimestamp(from + i * HOUR_MS, timeZone),
  }));
}

export { HOUR_MS };
