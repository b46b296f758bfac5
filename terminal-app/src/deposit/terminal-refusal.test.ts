import { describe, expect, it } from 'vitest';
import { KioskSnapshotSchema } from '@cashin/shared';
import type { DepositEvent } from './deposit-events.js';
import { depositSnapshot } from './deposit-snapshot.js';
import type { DepositState } from './deposit-state.js';
import type { TerminalRefusalCode } from './terminal-refusal.js';
import type { FixtureName } from './testing/deposit-fixtures.js';
import {
  coin,
  committedEvent,
  device,
  fixtures,
  intent,
  run,
  shopperCode,
  stateAfter,
  t0Ms,
  testConfig,
  timer,
} from './testing/deposit-fixtures.js';

// The server refusing this terminal itself (ops disabled it, it is unknown, its key was revoked) is an
// engine event: the kiosk takes no money it could never sync, and a deposit already open ends and commits.

const refused = (code: TerminalRefusalCode = 'TERMINAL_DISABLED'): DepositEvent => ({
  type: 'terminalRefused',
  code,
  atMs: t0Ms,
});
const enabled: DepositEvent = { type: 'terminalEnabled', atMs: t0Ms };

function snapshotOf(state: DepositState) {
  return KioskSnapshotSchema.parse(depositSnapshot(testConfig, state, 1));
}

/** What a shopper may try on an out-of-service kiosk, a voucher above all (it needs no server). */
const tries: DepositEvent[] = [
  intent({ type: 'start' }),
  intent({ type: 'noAccount' }),
  intent({ type: 'confirm' }),
  device({ type: 'scan', device: 'scanner', text: shopperCode, symbology: ']C0' }),
];

describe('a terminal the server refuses', () => {
  const beforeMoney: FixtureName[] = [
    'idle',
    'identifying',
    'lookingUp',
    'confirming',
    'confirmingVoucher',
    'offlineCapped',
  ];
  it.each(beforeMoney)('goes out of service from %s, closes the acceptors, and opens no deposit', (name) => {
    const result = run([refused()], fixtures[name]());
    expect(result.state).toMatchObject({ phase: 'outOfService', refusal: 'TERMINAL_DISABLED' });
    expect(result.effects).toContainEqual({ type: 'inhibitAcceptors' });
    expect(snapshotOf(result.state)).toMatchObject({
      screen: 'outOfService',
      outOfService: { device: null, fault: null, errorCode: 'TERMINAL_DISABLED' },
    });
    const after = run(tries, result.state);
    expect(after.state.phase).toBe('outOfService');
    expect(after.allEffects.filter((e) => e.type === 'openDeposit' || e.type === 'enableAcceptors')).toEqual(
      [],
    );
  });

  it.each<TerminalRefusalCode>(['TERMINAL_DISABLED', 'TERMINAL_UNKNOWN', 'TERMINAL_KEY_REVOKED'])(
    'goes out of service when a lookup is refused with %s',
    (code) => {
      const answer: DepositEvent = {
        type: 'lookupResult',
        requestId: 1,
        result: { kind: 'refused', code },
        atMs: t0Ms,
      };
      const state = stateAfter([answer], fixtures.lookingUp());
      expect(state).toMatchObject({ phase: 'outOfService', refusal: code });
      expect(snapshotOf(state).outOfService).toEqual({ device: null, fault: null, errorCode: code });
    },
  );

  it('still answers a refusal about the shopper on the identify screen', () => {
    const answer: DepositEvent = {
      type: 'lookupResult',
      requestId: 1,
      result: { kind: 'refused', code: 'CODE_UNKNOWN' },
      atMs: t0Ms,
    };
    expect(stateAfter([answer], fixtures.lookingUp())).toMatchObject({
      phase: 'identifying',
      lastError: 'CODE_UNKNOWN',
      refusal: null,
    });
  });

  it('finishes a deposit taking money: acceptors closed, committed and printed, then out of service', () => {
    const ending = run([refused()], fixtures.acceptingWithMoney());
    expect(ending.state).toMatchObject({
      phase: 'draining',
      endedBy: 'terminalRefused',
      lastError: 'TERMINAL_DISABLED',
    });
    expect(ending.effects).toContainEqual({ type: 'inhibitAcceptors' });
    // A coin still falling is counted into the deposit, as after the finish button.
    const committing = stateAfter([coin(25), timer('drain')], ending.state);
    expect(committing).toMatchObject({ phase: 'committing' });
    if (committing.phase !== 'committing') throw new Error('not committing');
    expect(committing.deposit.totalMinor).toBe(75);
    const done = run([committedEvent(committing)], committing);
    expect(done.state.phase).toBe('printing');
    expect(done.effects.map((e) => e.type)).toContain('print');
    const rest = stateAfter([intent({ type: 'dismiss' })], done.state);
    expect(rest).toMatchObject({ phase: 'outOfService', refusal: 'TERMINAL_DISABLED' });
  });

  it('rests out of service after a commit or print that was under way when it was refused', () => {
    const printing = stateAfter([refused('TERMINAL_UNKNOWN')], fixtures.printing());
    expect(printing.phase).toBe('printing');
    expect(stateAfter([timer('receipt')], printing)).toMatchObject({
      phase: 'outOfService',
      refusal: 'TERMINAL_UNKNOWN',
    });
  });

  it('serves again once a heartbeat says it is enabled, unless a device is still down', () => {
    const out = stateAfter([refused()], fixtures.idle());
    expect(stateAfter([enabled], out)).toMatchObject({ phase: 'idle', refusal: null });
    const jammed = stateAfter([refused()], fixtures.outOfService());
    const stillJammed = stateAfter([enabled], jammed);
    expect(stillJammed).toMatchObject({ phase: 'outOfService', refusal: null });
    expect(snapshotOf(stillJammed).outOfService).toMatchObject({ device: 'coin', fault: 'jam' });
    // The jam cleared while refused: the kiosk stays out until the refusal is lifted too.
    const cleared = stateAfter([device({ type: 'faultCleared', device: 'coin', fault: 'jam' })], jammed);
    expect(cleared).toMatchObject({ phase: 'outOfService', refusal: 'TERMINAL_DISABLED' });
    expect(stateAfter([enabled], cleared)).toMatchObject({ phase: 'idle' });
  });
});
