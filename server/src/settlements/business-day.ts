/**
 * A store's business day, YYYY-MM-DD in its IANA time zone, as a half-open UTC range [startMs, endMs).
 * Days are not always 24 hours (daylight saving), and in some zones the clocks jump forward at local
 * midnight itself (America/Santiago, America/Havana), so that 00:00 never happens and the day starts at
 * 01:00. So each end is found on its own as the earliest instant whose local date is that day.
 */

/**
 * One formatter per zone: building an Intl.DateTimeFormat costs far more than formatting with one. Bounded
 * by the IANA zone list (a few hundred names); a store's zone is validated when the store is created.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface LocalTime {
  /** YYYY-MM-DD, so dates compare as strings. */
  readonly date: string;
  /** The local wall-clock time as if it were UTC, to the second. */
  readonly asUtcMs: number;
}

function localTime(timeZone: string, atMs: number): LocalTime {
  const parts = formatterFor(timeZone).formatToParts(new Date(atMs));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  const date = `${part('year')}-${part('month')}-${part('day')}`;
  const asUtcMs = Date.UTC(
    Number(part('year')),
    Number(part('month')) - 1,
    Number(part('day')),
    Number(part('hour')),
    Number(part('minute')),
    Number(part('second')),
  );
  return { date, asUtcMs };
}

/** The zone's offset from UTC at an instant (local wall clock less UTC), to the second. */
function offsetMs(timeZone: string, atMs: number): number {
  return localTime(timeZone, atMs).asUtcMs - Math.floor(atMs / 1000) * 1000;
}

const dayMs = 86_400_000;

/**
 * How far either side of UTC midnight the zone's offsets are sampled: a day covers any transition that
 * can move that date's local midnight, whatever the zone's offset (at most 14 hours either way).
 */
const offsetSampleSpanMs = dayMs;

/** Zones are at most 14 hours ahead of UTC, so this is before local midnight of the date anywhere. */
const earliestLocalMidnightLeadMs = 15 * 3_600_000;

function localDayStartMs(date: string, timeZone: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(year, month - 1, day);
  // Local midnight under each offset the zone has around that date. Where it exists it is one of these;
  // a fall-back at midnight makes it happen twice, and the day starts at the first.
  const candidates = [
    ...new Set(
      [-offsetSampleSpanMs, 0, offsetSampleSpanMs].map(
        (shiftMs) => utcMidnight - offsetMs(timeZone, utcMidnight + shiftMs),
      ),
    ),
  ].sort((a, b) => a - b);
  const exact = candidates.find((atMs) => localTime(timeZone, atMs).asUtcMs === utcMidnight);
  if (exact !== undefined) return exact;
  // Midnight was skipped (clocks jumped forward across it): the day starts at the jump, the first instant
  // whose local date is this one. Local dates only move forward around a forward jump, so bisect between
  // an instant of the day before and the first candidate that lies in the day.
  const inDay = candidates.find((atMs) => localTime(timeZone, atMs).date >= date);
  if (inDay === undefined) throw new Error(`no instant of ${date} found in ${timeZone}`);
  let after = inDay;
  let before = utcMidnight - earliestLocalMidnightLeadMs;
  while (after - before > 1) {
    const middle = before + Math.floor((after - before) / 2);
    if (localTime(timeZone, middle).date >= date) after = middle;
    else before = middle;
  }
  return after;
}

export function businessDayRange(date: string, timeZone: string): { startMs: number; endMs: number } {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
  return { startMs: localDayStartMs(date, timeZone), endMs: localDayStartMs(next, timeZone) };
}

/** Today's date (YYYY-MM-DD) in a time zone: the business day an instant falls in. */
export function businessDayOf(atMs: number, timeZone: string): string {
  return localTime(timeZone, atMs).date;
}
