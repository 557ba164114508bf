/**
 * Store-time arithmetic for daily reports: the UTC instants that bound a store-day, its hours (23, 24 or 25 on
 * daylight-saving days), wall-clock times to instants, and RFC 3339 with the store's offset. Offsets come from
 * `Intl.DateTimeFormat` (Node has no Temporal by default), so daylight-saving days are exact.
 */
export const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
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
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    format(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock at `ms` in `timeZone`, as the UTC instant with the same fields (so `offset = wall − ms`). */
function wallMs(ms: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of format(timeZone).formatToParts(new Date(ms))) p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
}

/** The store's UTC offset at instant `ms`, in minutes (whole seconds of `ms` dropped). */
export function offsetMinutes(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return Math.round((wallMs(whole, timeZone) - whole) / 60_000);
}

/** The instant of a wall-clock time (`wall` = the UTC instant with the same fields). Skipped times move forward. */
export function instantOf(wall: number, timeZone: string): number {
  const first = wall - offsetMinutes(wall, timeZone) * 60_000;
  const second = wall - offsetMinutes(first, timeZone) * 60_000;
  // In a gap (spring forward) neither guess shows `wall`: the later one is the first instant after the gap.
  return wallMs(second, timeZone) === wall ? second : Math.max(first, second);
}

/** `YYYY-MM-DD` of instant `ms` in the store's time zone. */
export function dayOf(ms: number, timeZone: string): string {
  return new Date(wallMs(ms, timeZone)).toISOString().slice(0, 10);
}

/** `day` plus `n` calendar days. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** RFC 3339 of `ms` in store time with its offset, to the second: `2026-03-29T03:00:00+02:00`. */
export function localTimestamp(ms: number, timeZone: string): string {
  const off = offsetMinutes(ms, timeZone);
  const wall = new Date(Math.floor(ms / 1000) * 1000 + off * 60_000).toISOString().slice(0, 19);
  const a = Math.abs(off);
  return `${wall}${off < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** A store-day: [from, to) in UTC ms, its hours, and each shard's (hour's) bounds. */
export interface StoreDay {
  day: string;
  timeZone: string;
  from: number;
  to: number;
  /** 23, 24 or 25. */
  hours: number;
}

export function storeDay(day: string, timeZone: string): StoreDay {
  const from = instantOf(Date.parse(`${day}T00:00:00Z`), timeZone);
  const to = instantOf(Date.parse(`${addDays(day, 1)}T00:00:00Z`), timeZone);
  return { day, timeZone, from, to, hours: Math.round((to - from) / HOUR_MS) };
}

/** Shard `i` of a store-day: hour `i`, [start, end) in UTC ms; the last one ends at `to`. */
export function shardBounds(d: StoreDay, i: number): { start: number; end: number } {
  const start = d.from + i * HOUR_MS;
  return { start, end: i === d.hours - 1 ? d.to : Math.min(start + HOUR_MS, d.to) };
}

/** `HH:MM-HH:MM` → minutes after midnight [start, end); an end at or before the start is on the next day. */
export function parseWindow(window: string): { start: number; end: number } {
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/.exec(window);
  if (!m) throw new Error(`must be HH:MM-HH:MM in store time, e.g. 02:00-05:00 (got ${window})`);
  const start = Number(m[1]) * 60 + Number(m[2]);
  let end = Number(m[3]) * 60 + Number(m[4]);
  if (end <= start) end += 24 * 60;
  return { start, end };
}
