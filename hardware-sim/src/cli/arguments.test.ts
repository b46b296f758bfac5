import { describe, expect, it } from 'vitest';
import { parseArguments } from './arguments.js';

describe('simulator command line', () => {
  it('takes the documented device flags', () => {
    const parsed = parseArguments([
      '--coin',
      'tcp:7001',
      '--bill',
      'pty',
      '--printer',
      'serial:/dev/ttyUSB1',
    ]);
    expect(parsed).toMatchObject({
      ok: true,
      args: {
        devices: {
          coin: { kind: 'tcp', port: 7001 },
          bill: { kind: 'pty' },
          printer: { kind: 'serial', path: '/dev/ttyUSB1' },
        },
        currency: 'USD',
        echo: true,
      },
    });
    if (parsed.ok) expect(Object.keys(parsed.args.devices).sort()).toEqual(['bill', 'coin', 'printer']);
  });

  it('starts all five on TCP by default, or on ptys with --pty', () => {
    const all = parseArguments([]);
    expect(all.ok && all.args.devices.counter).toEqual({ kind: 'tcp', port: 7005 });
    const pty = parseArguments(['--pty', '--coin', '--currency', 'MXN', '--no-echo']);
    expect(pty).toMatchObject({
      ok: true,
      args: { devices: { coin: { kind: 'pty' } }, currency: 'MXN', echo: false },
    });
  });

  it('refuses what it does not understand', () => {
    expect(parseArguments(['--coin', 'udp:1']).ok).toBe(false);
    expect(parseArguments(['--currency', 'XXX']).ok).toBe(false);
    expect(parseArguments(['--frobnicate']).ok).toBe(false);
  });
});
