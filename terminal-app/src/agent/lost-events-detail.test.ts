import { describe, expect, it } from 'vitest';
import { describeLostEvents } from './lost-events-detail.js';

// The detail is English prose a tech reads on the maintenance screen and in the log, so its grammar is the
// behaviour under test.
describe('lost events detail', () => {
  it.each([
    [1, 'coin: 1 event lost between polls'],
    [2, 'coin: 2 events lost between polls'],
    [255, 'coin: 255 events lost between polls'],
  ])('%i lost: %s', (count, detail) => {
    expect(describeLostEvents({ type: 'lostEvents', device: 'coin', count })).toBe(detail);
  });

  it('says a reset emptied the device', () => {
    expect(describeLostEvents({ type: 'reset', device: 'bill' })).toBe(
      'bill: reset or lost power, its unreported events are gone',
    );
  });
});
