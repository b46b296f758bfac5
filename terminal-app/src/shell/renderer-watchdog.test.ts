import { FakeClock } from '@cashin/shared';
import { describe, expect, it } from 'vitest';
import { RendererWatchdog } from './renderer-watchdog.js';

describe('RendererWatchdog', () => {
  it('reloads a crashed renderer until it crashes too often in the window', () => {
    const clock = new FakeClock(0);
    const watchdog = new RendererWatchdog(clock, 3, 60_000);
    expect([1, 2, 3].map(() => watchdog.onRendererGone())).toEqual(['reload', 'reload', 'reload']);
    expect(watchdog.onRendererGone()).toBe('outOfService');
  });

  it('forgets crashes older than the window', () => {
    const clock = new FakeClock(0);
    const watchdog = new RendererWatchdog(clock, 2, 60_000);
    watchdog.onRendererGone();
    watchdog.onRendererGone();
    clock.advance(60_000);
    expect(watchdog.onRendererGone()).toBe('reload');
  });
});
