import type { LostEventsEntry } from '../journal/journal-entry.js';

/** One line for the tech and the log: which device lost what. */
export function describeLostEvents(entry: LostEventsEntry): string {
  if (entry.type === 'reset') return `${entry.device}: reset or lost power, its unreported events are gone`;
  return `${entry.device}: ${entry.count} ${entry.count === 1 ? 'event' : 'events'} lost between polls`;
}
