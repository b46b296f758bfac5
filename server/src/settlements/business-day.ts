/**
 * A store's business day, YYYY-MM-DD in its IANA time zone, as a half-open UTC range [startMs, endMs).
 * Days are not always 24 hours (daylight saving), so each end is found on its own: midnight local time is
 * UTC midnight of that date less the zone's offset at that instant, corrected once for an offset that
 * changes in between.
 */
function offsetMs(timeZone: string, atMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(atMs));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const asUtc = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return asUtc - Math.floor(atMs / 1000) * 1000;
}

function localMidnightMs(date: string, timeZone: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(year, month - 1, day);
  const guess = utcMidnight - offsetMs(timeZone, utcMidnight);
  return utcMidnight - offsetMs(timeZone, guess);
}

export function businessDayRange(date: string, timeZone: string): { startMs: number; endMs: number } {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
  return { startMs: localMidnightMs(date, timeZone), endMs: localMidnightMs(next, timeZone) };
}
