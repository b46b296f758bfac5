import { describe, expect, it } from 'vitest';
import type { DeviceEvent } from '@cashin/shared';
import { KioskSnapshotSchema, defaultLimits, generateCode } from '@cashin/shared';
import type { DepositEffect } from './deposit-effects.js';
import type { DepositEvent } from './deposit-events.js';
import { step } from './deposit-machine.js';
import { depositSnapshot } from './deposit-snapshot.js';
import { receiptMessages } from '../receipt/receipt-messages.js';
import type { DepositState, PhaseName } from './deposit-state.js';
import type { FixtureName } from './testing/deposit-fixtures.js';
import {
  at,
  billCredit,
  claimCode,
  coin,
  committedEvent,
  committedFor,
  counterQuarters,
  depositId,
  device,
  escrow,
  fixtures,
  found,
  intent,
  otherShopperCode,
  run,
  shopperCode,
  stateAfter,
  t0Ms,
  testConfig,
  timer,
  unreachable,
} from './testing/deposit-fixtures.js';

const hoursMs = 3_600_000;

/** The text lines of every receipt printed by these effects, in order. */
function printedTexts(effects: readonly DepositEffect[]): string[] {
  return effects.flatMap((effect) =>
    effect.type === 'print'
      ? effect.job.lines.flatMap((line) => (line.type === 'text' ? [line.text] : []))
      : [],
  );
}
const offlineCapMinor = defaultLimits.money.USD!.kioskOfflineDepositMaxMinor;
const unsyncedCapMinor = defaultLimits.money.USD!.kioskOfflineUnsyncedMaxMinor;

function deposit(state: DepositState) {
  if (state.phase !== 'accepting' && state.phase !== 'draining' && state.phase !== 'committing') {
    throw new Error(`no deposit in ${state.phase}`);
  }
  return state.deposit;
}

function receiptOf(state: DepositState) {
  if (state.phase !== 'printing') throw new Error(`no receipt in ${state.phase}`);
  return state.receipt;
}

function types(effects: readonly DepositEffect[]): string[] {
  return effects.map((effect) =>
    effect.type === 'startTimer' || effect.type === 'cancelTimer'
      ? `${effect.type}:${effect.name}`
      : effect.type,
  );
}

/** Everything that writes a device event: to a deposit, as a bare stray, or as a stray deposit of its own. */
function journaled(effects: readonly DepositEffect[]) {
  return effects.filter((effect) => effect.type === 'journal' || effect.type === 'commitStray');
}

const offline = (unsyncedTotalMinor: number, oldestUnsyncedAtMs: number | null = t0Ms): DepositEvent[] => [
  { type: 'connectivity', online: false, atMs: t0Ms },
  { type: 'outboxStatus', unsyncedTotalMinor, oldestUnsyncedAtMs, atMs: t0Ms },
];

interface Case {
  name: string;
  from: FixtureName | (() => DepositState);
  events: DepositEvent[];
  phase: PhaseName;
  effects?: string[];
  check?: (state: DepositState, effects: DepositEffect[]) => void;
}

const cases: Case[] = [
  // idle
  {
    name: 'idle + start -> identifying, idle timer started',
    from: 'idle',
    events: [intent({ type: 'start' })],
    phase: 'identifying',
    effects: ['startTimer:idle'],
  },
  {
    name: 'idle + scan of a valid code -> lookingUp straight away',
    from: 'idle',
    events: [device({ type: 'scan', device: 'scanner', text: shopperCode, symbology: ']C0' })],
    phase: 'lookingUp',
    effects: ['startTimer:idle', 'cancelTimer:idle', 'lookup', 'startTimer:lookup'],
  },
  {
    name: 'idle + scan of garbage -> identifying with CODE_MALFORMED, no lookup',
    from: 'idle',
    events: [device({ type: 'scan', device: 'scanner', text: 'HELLO', symbology: ']C0' })],
    phase: 'identifying',
    check: (state, effects) => {
      expect(state.lastError).toBe('CODE_MALFORMED');
      expect(types(effects)).not.toContain('lookup');
    },
  },
  {
    name: 'idle + stray coin -> committed as a stray deposit for suspense, acceptors shut again',
    from: 'idle',
    events: [coin(25)],
    phase: 'idle',
    effects: ['commitStray', 'inhibitAcceptors'],
    check: (_, effects) =>
      expect(journaled(effects)[0]).toMatchObject({ type: 'commitStray', entry: { valueMinor: 25 } }),
  },
  {
    name: 'idle + escrowed bill -> returned',
    from: 'idle',
    events: [escrow(500)],
    phase: 'idle',
    check: (_, effects) =>
      expect(effects).toEqual([{ type: 'routeBill', device: 'bill', decision: 'return' }]),
  },
  {
    name: 'idle + coin acceptor jam -> outOfService, acceptors shut',
    from: 'idle',
    events: [device({ type: 'fault', device: 'coin', fault: 'jam' })],
    phase: 'outOfService',
    effects: ['inhibitAcceptors'],
  },
  {
    name: 'idle + scanner fault -> still idle (the keypad works)',
    from: 'idle',
    events: [device({ type: 'fault', device: 'scanner', fault: 'protocolError' })],
    phase: 'idle',
  },
  {
    name: 'idle + lostEvents -> committed as an alarm deposit that syncs to ops, not only journaled',
    from: 'idle',
    events: [device({ type: 'lostEvents', device: 'coin', count: 3 })],
    phase: 'idle',
    effects: ['commitAlarm'],
    check: (_, effects) =>
      expect(effects[0]).toEqual({
        type: 'commitAlarm',
        entry: { type: 'lostEvents', device: 'coin', count: 3 },
        atMs: t0Ms,
      }),
  },
  {
    name: 'idle + a validator reset -> committed as an alarm deposit',
    from: 'idle',
    events: [device({ type: 'reset', device: 'bill' })],
    phase: 'idle',
    effects: ['commitAlarm'],
  },
  {
    name: 'idle + stale idle timer -> nothing',
    from: 'idle',
    events: [timer('idle')],
    phase: 'idle',
    effects: [],
  },
  {
    name: 'idle + confirm (nothing to confirm) -> nothing',
    from: 'idle',
    events: [intent({ type: 'confirm' })],
    phase: 'idle',
    effects: [],
  },
  {
    name: 'idle, offline at the unsynced cap -> offlineCapped, acceptors shut',
    from: 'idle',
    events: offline(unsyncedCapMinor),
    phase: 'offlineCapped',
    check: (state) => expect(state).toMatchObject({ reason: 'unsyncedTotal' }),
  },
  {
    name: 'idle, offline with the oldest unsynced deposit 72 h old -> offlineCapped by age',
    from: 'idle',
    events: [...offline(100, t0Ms - 72 * hoursMs)],
    phase: 'offlineCapped',
    check: (state) => expect(state).toMatchObject({ reason: 'unsyncedAge' }),
  },
  {
    name: 'idle, offline under the caps -> idle',
    from: 'idle',
    events: offline(100),
    phase: 'idle',
  },

  // identifying
  {
    name: 'identifying + keyed valid code -> lookingUp with that code',
    from: 'identifying',
    events: [intent({ type: 'keyedCode', text: shopperCode.replace(/(\d{4})/g, '$1 ') })],
    phase: 'lookingUp',
    check: (state, effects) => {
      expect(effects).toContainEqual({ type: 'lookup', requestId: 1, code: shopperCode });
      expect(state).toMatchObject({ code: shopperCode });
    },
  },
  {
    name: 'identifying + keyed code with a wrong check digit -> CODE_MALFORMED, no lookup, idle timer restarted',
    from: 'identifying',
    events: [
      intent({ type: 'keyedCode', text: shopperCode.slice(0, -1) + ((Number(shopperCode.at(-1)) + 1) % 10) }),
    ],
    phase: 'identifying',
    effects: ['startTimer:idle'],
    check: (state) => expect(state.lastError).toBe('CODE_MALFORMED'),
  },
  {
    name: 'identifying + keyed claim code -> named for what it is (added in the wallet app), no lookup',
    from: 'identifying',
    events: [intent({ type: 'keyedCode', text: claimCode })],
    phase: 'identifying',
    effects: ['startTimer:idle'],
    check: (state) => expect(state).toMatchObject({ lastError: null, notice: 'claimInWallet' }),
  },
  {
    name: 'idle + scan of a payment slip -> identifying, named for what it is (paid at a till), no lookup',
    from: 'idle',
    events: [device({ type: 'scan', device: 'scanner', text: generateCode('slip'), symbology: ']C0' })],
    phase: 'identifying',
    check: (state, effects) => {
      expect(state).toMatchObject({ lastError: null, notice: 'slipAtTill' });
      expect(types(effects)).not.toContain('lookup');
    },
  },
  {
    name: 'identifying + a slip, then the deposit code -> the slip notice goes, the lookup starts',
    from: 'identifying',
    events: [
      intent({ type: 'keyedCode', text: generateCode('slip') }),
      intent({ type: 'keyedCode', text: shopperCode }),
    ],
    phase: 'lookingUp',
    check: (state) => expect(state.notice).toBe(null),
  },
  {
    name: 'identifying + a slip, then "no account" -> the voucher confirm shows no slip notice',
    from: 'identifying',
    events: [intent({ type: 'keyedCode', text: generateCode('slip') }), intent({ type: 'noAccount' })],
    phase: 'confirming',
    check: (state) => expect(state.notice).toBe(null),
  },
  {
    name: 'identifying + no account -> confirming a voucher capped at the voucher maximum',
    from: 'identifying',
    events: [intent({ type: 'noAccount' })],
    phase: 'confirming',
    check: (state) =>
      expect(state).toMatchObject({
        shopper: { voucher: true, code: null, maxMinor: offlineCapMinor, offline: false },
      }),
  },
  {
    name: 'identifying offline + no account -> voucher capped by the unsynced headroom',
    from: () => stateAfter([...offline(unsyncedCapMinor - 700), intent({ type: 'start' })]),
    events: [intent({ type: 'noAccount' })],
    phase: 'confirming',
    check: (state) =>
      expect(state).toMatchObject({ shopper: { voucher: true, maxMinor: 700, offline: true } }),
  },
  {
    name: 'identifying + cancel -> idle, idle timer cancelled',
    from: 'identifying',
    events: [intent({ type: 'cancel' })],
    phase: 'idle',
    effects: ['cancelTimer:idle'],
  },
  {
    name: 'identifying + idle time-out -> idle',
    from: 'identifying',
    events: [timer('idle')],
    phase: 'idle',
  },
  {
    name: 'identifying + chooseLanguage es -> same screen in Spanish',
    from: 'identifying',
    events: [intent({ type: 'chooseLanguage', language: 'es' })],
    phase: 'identifying',
    check: (state) => expect(state.language).toBe('es'),
  },
  {
    name: 'identifying + bill validator jam -> outOfService',
    from: 'identifying',
    events: [device({ type: 'fault', device: 'bill', fault: 'jam' })],
    phase: 'outOfService',
    effects: ['cancelTimer:idle', 'inhibitAcceptors'],
  },

  // lookingUp
  {
    name: 'lookingUp + found -> confirming with masked name and remaining limit',
    from: 'lookingUp',
    events: [found(5_000)],
    phase: 'confirming',
    effects: ['cancelTimer:lookup', 'startTimer:idle'],
    check: (state) =>
      expect(state).toMatchObject({
        online: true,
        shopper: {
          code: shopperCode,
          maskedName: 'J*** D***',
          maxMinor: 5_000,
          offline: false,
          balanceMinor: 1_000,
        },
      }),
  },
  {
    name: 'lookingUp + found with nothing remaining -> identifying with LIMIT_EXCEEDED',
    from: 'lookingUp',
    events: [found(0)],
    phase: 'identifying',
    check: (state) => expect(state.lastError).toBe('LIMIT_EXCEEDED'),
  },
  {
    name: 'lookingUp + found in another currency -> identifying with CURRENCY_MISMATCH',
    from: 'lookingUp',
    events: [
      {
        type: 'lookupResult',
        requestId: 1,
        result: {
          kind: 'found',
          maskedName: 'A***',
          currency: 'MXN',
          remainingMinor: 100,
          balanceMinor: null,
        },
        atMs: t0Ms,
      },
    ],
    phase: 'identifying',
    check: (state) => expect(state.lastError).toBe('CURRENCY_MISMATCH'),
  },
  {
    name: 'lookingUp + refused CODE_REVOKED -> identifying with that code',
    from: 'lookingUp',
    events: [
      { type: 'lookupResult', requestId: 1, result: { kind: 'refused', code: 'CODE_REVOKED' }, atMs: t0Ms },
    ],
    phase: 'identifying',
    check: (state) => expect(state.lastError).toBe('CODE_REVOKED'),
  },
  {
    name: 'lookingUp + unreachable -> confirming offline under the offline per-deposit cap',
    from: 'lookingUp',
    events: [unreachable()],
    phase: 'confirming',
    check: (state) =>
      expect(state).toMatchObject({
        online: false,
        shopper: { maskedName: null, offline: true, maxMinor: offlineCapMinor },
      }),
  },
  {
    name: 'lookingUp + unreachable with little unsynced headroom -> offline deposit capped by it',
    from: () =>
      stateAfter(
        [unreachable()],
        stateAfter(
          [
            {
              type: 'outboxStatus',
              unsyncedTotalMinor: unsyncedCapMinor - 300,
              oldestUnsyncedAtMs: t0Ms,
              atMs: t0Ms,
            },
          ],
          fixtures.lookingUp(),
        ),
      ),
    events: [],
    phase: 'confirming',
    check: (state) => expect(state).toMatchObject({ shopper: { maxMinor: 300 } }),
  },
  {
    name: 'lookingUp + unreachable with the unsynced cap full -> offlineCapped',
    from: () =>
      stateAfter(
        [
          {
            type: 'outboxStatus',
            unsyncedTotalMinor: unsyncedCapMinor,
            oldestUnsyncedAtMs: t0Ms,
            atMs: t0Ms,
          },
        ],
        fixtures.lookingUp(),
      ),
    events: [unreachable()],
    phase: 'offlineCapped',
    effects: ['cancelTimer:lookup'],
  },
  {
    name: 'lookingUp + lookup time-out -> confirming offline',
    from: 'lookingUp',
    events: [timer('lookup')],
    phase: 'confirming',
    check: (state) => expect(state).toMatchObject({ online: false, shopper: { offline: true } }),
  },
  {
    name: 'lookingUp + a stale answer (another request) -> still lookingUp',
    from: 'lookingUp',
    events: [found(5_000, 0, 99)],
    phase: 'lookingUp',
    effects: [],
  },
  {
    name: 'lookingUp + another scan -> ignored, same code',
    from: 'lookingUp',
    events: [device({ type: 'scan', device: 'scanner', text: otherShopperCode, symbology: ']C0' })],
    phase: 'lookingUp',
    effects: [],
    check: (state) => expect(state).toMatchObject({ code: shopperCode, notice: 'scanIgnored' }),
  },
  {
    name: 'lookingUp + cancel -> idle, lookup timer cancelled',
    from: 'lookingUp',
    events: [intent({ type: 'cancel' })],
    phase: 'idle',
    effects: ['cancelTimer:lookup'],
  },

  // confirming
  {
    name: 'confirming + confirm -> accepting: deposit journaled open with its id before the acceptors open',
    from: 'confirming',
    events: [intent({ type: 'confirm' }, at(5))],
    phase: 'accepting',
    effects: ['cancelTimer:idle', 'openDeposit', 'enableAcceptors', 'startTimer:idle'],
    check: (state, effects) => {
      expect(effects[1]).toMatchObject({
        type: 'openDeposit',
        record: {
          depositId,
          code: shopperCode,
          claimCode: null,
          maxMinor: 5_000,
          startedAtMs: at(5),
          offline: false,
        },
      });
      expect(effects[2]).toEqual({ type: 'enableAcceptors', remainingMinor: 5_000 });
      expect(deposit(state).totalMinor).toBe(0);
    },
  },
  {
    name: 'confirming a voucher + confirm -> deposit with a claim code and no shopper code',
    from: 'confirmingVoucher',
    events: [intent({ type: 'confirm' })],
    phase: 'accepting',
    check: (_, effects) =>
      expect(effects).toContainEqual(
        expect.objectContaining({
          type: 'openDeposit',
          record: expect.objectContaining({ code: null, claimCode }),
        }),
      ),
  },
  {
    name: 'confirming + cancel ("No, go back") -> back to code entry, idle timer restarted, nothing journaled',
    from: 'confirming',
    events: [intent({ type: 'chooseLanguage', language: 'es' }), intent({ type: 'cancel' })],
    phase: 'identifying',
    effects: ['cancelTimer:idle', 'startTimer:idle'],
    check: (state, effects) => {
      expect(effects[1]).toEqual({ type: 'startTimer', name: 'idle', delayMs: testConfig.idleTimeoutMs });
      // The shopper keeps their language and types the code again; the shopper shown is forgotten.
      expect(state).toMatchObject({ language: 'es', lastError: null, notice: null });
      expect(depositSnapshot(testConfig, state, 1)).toMatchObject({ screen: 'identify', shopper: null });
    },
  },
  {
    name: 'confirming a voucher + cancel -> back to code entry',
    from: 'confirmingVoucher',
    events: [intent({ type: 'cancel' })],
    phase: 'identifying',
    effects: ['cancelTimer:idle', 'startTimer:idle'],
  },
  {
    name: 'confirming, back to code entry, then idle time-out -> idle (the identify screen keeps its time-out)',
    from: 'confirming',
    events: [intent({ type: 'cancel' }), timer('idle')],
    phase: 'idle',
    effects: ['cancelTimer:idle'],
  },
  {
    name: 'confirming, back to code entry, then the right code -> looked up',
    from: 'confirming',
    events: [intent({ type: 'cancel' }), intent({ type: 'keyedCode', text: otherShopperCode })],
    phase: 'lookingUp',
    effects: ['cancelTimer:idle', 'lookup', 'startTimer:lookup'],
  },
  {
    name: 'confirming + idle time-out -> idle, nothing journaled',
    from: 'confirming',
    events: [timer('idle')],
    phase: 'idle',
    effects: ['cancelTimer:idle'],
  },
  {
    name: 'confirming + scan of another code -> ignored, shopper unchanged',
    from: 'confirming',
    events: [device({ type: 'scan', device: 'scanner', text: otherShopperCode, symbology: ']C0' })],
    phase: 'confirming',
    check: (state) => expect(state).toMatchObject({ notice: 'scanIgnored', shopper: { code: shopperCode } }),
  },

  // accepting
  {
    name: 'accepting + coin -> journaled first, then acceptors narrowed to the room left, idle timer restarted',
    from: 'accepting',
    events: [coin(25)],
    phase: 'accepting',
    effects: ['journal', 'enableAcceptors', 'startTimer:idle'],
    check: (state, effects) => {
      expect(deposit(state).totalMinor).toBe(25);
      expect(effects[0]).toMatchObject({ depositId, entry: { type: 'credit', valueMinor: 25 } });
      expect(effects[1]).toEqual({ type: 'enableAcceptors', remainingMinor: 4_975 });
    },
  },
  {
    name: 'accepting + coins of one kind -> itemised as one line with a count',
    from: 'accepting',
    events: [coin(25), coin(10), coin(25)],
    phase: 'accepting',
    check: (state) => {
      expect(deposit(state).items).toEqual([
        { kind: 'coin', ccTalkId: 'US025A', valueMinor: 25, count: 2 },
        { kind: 'coin', ccTalkId: 'US010A', valueMinor: 10, count: 1 },
      ]);
      expect(deposit(state).totalMinor).toBe(60);
    },
  },
  {
    name: 'accepting + the coin that reaches the limit -> draining (limitReached), acceptors shut',
    from: () => stateAfter([found(100), intent({ type: 'confirm' })], fixtures.lookingUp()),
    events: [coin(50), coin(25), coin(25)],
    phase: 'draining',
    check: (state) => expect(state).toMatchObject({ endedBy: 'limitReached', notice: 'limitReached' }),
  },
  {
    name: 'limit reached mid-pour: coins still falling are counted past the limit (cash is never refused)',
    from: () => stateAfter([found(100), intent({ type: 'confirm' }), coin(100)], fixtures.lookingUp()),
    events: [coin(25), coin(10)],
    phase: 'draining',
    check: (state, effects) => {
      expect(deposit(state).totalMinor).toBe(135);
      expect(types(effects)).toEqual(['journal']);
    },
  },
  {
    name: 'accepting + a bill that fits -> stacked, room reserved for it',
    from: 'accepting',
    events: [escrow(2_000)],
    phase: 'accepting',
    check: (state, effects) => {
      expect(effects[0]).toEqual({ type: 'routeBill', device: 'bill', decision: 'stack' });
      expect(effects[1]).toEqual({ type: 'enableAcceptors', remainingMinor: 3_000 });
      expect(deposit(state).escrow).toEqual({ device: 'bill', valueMinor: 2_000 });
      expect(deposit(state).totalMinor).toBe(0);
    },
  },
  {
    name: 'accepting + the stacked bill is credited -> counted, escrow cleared',
    from: 'accepting',
    events: [escrow(2_000), billCredit(2_000)],
    phase: 'accepting',
    check: (state) => {
      expect(deposit(state).totalMinor).toBe(2_000);
      expect(deposit(state).escrow).toBeNull();
    },
  },
  {
    name: 'accepting + a bill that does not fit -> returned, as over the limit',
    from: 'accepting',
    events: [escrow(10_000)],
    phase: 'accepting',
    check: (state, effects) => {
      expect(effects[0]).toEqual({ type: 'routeBill', device: 'bill', decision: 'return' });
      expect(state.notice).toBe('billOverLimit');
    },
  },
  {
    name: 'accepting + a bill in another currency -> returned, as another currency (not the limit)',
    from: 'accepting',
    events: [
      device({ type: 'escrow', device: 'bill', ccTalkId: 'MX0020A', currency: 'MXN', valueMinor: 2_000 }),
    ],
    phase: 'accepting',
    effects: ['routeBill', 'startTimer:idle'],
    check: (state, effects) => {
      expect(effects[0]).toEqual({ type: 'routeBill', device: 'bill', decision: 'return' });
      expect(state.notice).toBe('billOtherCurrency');
      expect(deposit(state).escrow).toBeNull();
    },
  },
  {
    name: 'accepting + a bill while another is held in escrow -> returned, as the other still being taken',
    from: 'accepting',
    events: [
      escrow(1_000),
      device({ type: 'escrow', device: 'bill2', ccTalkId: 'US0001A', currency: 'USD', valueMinor: 100 }),
    ],
    phase: 'accepting',
    effects: ['routeBill', 'startTimer:idle'],
    check: (state, effects) => {
      expect(effects[0]).toEqual({ type: 'routeBill', device: 'bill2', decision: 'return' });
      expect(state.notice).toBe('billEscrowBusy');
      expect(deposit(state).escrow).toEqual({ device: 'bill', valueMinor: 1_000 });
    },
  },
  {
    name: 'accepting + the validator reports the bill we returned -> the reason we gave stands',
    from: 'accepting',
    events: [
      device({ type: 'escrow', device: 'bill', ccTalkId: 'MX0020A', currency: 'MXN', valueMinor: 2_000 }),
      device({ type: 'reject', device: 'bill', reason: 'returnedFromEscrow', valueMinor: 2_000, count: 1 }),
    ],
    phase: 'accepting',
    check: (state) => expect(state.notice).toBe('billOtherCurrency'),
  },
  {
    name: 'accepting + returnedFromEscrow -> room released, not counted as a reject',
    from: 'accepting',
    events: [
      escrow(2_000),
      device({ type: 'reject', device: 'bill', reason: 'returnedFromEscrow', valueMinor: 2_000, count: 1 }),
    ],
    phase: 'accepting',
    check: (state, effects) => {
      expect(deposit(state).escrow).toBeNull();
      expect(deposit(state)).toMatchObject({ rejectedCoinCount: 0, rejectedBillCount: 0 });
      expect(effects).toEqual([{ type: 'enableAcceptors', remainingMinor: 5_000 }]);
      // We asked it to stack that bill: it could not, which is neither the limit nor the currency.
      expect(state.notice).toBe('billNotStacked');
    },
  },
  {
    name: 'accepting + rejected coin -> counted as a coin reject and journaled, total unchanged',
    from: 'acceptingWithMoney',
    events: [device({ type: 'reject', device: 'coin', reason: 'rejected', count: 1 })],
    phase: 'accepting',
    effects: ['journal', 'startTimer:idle'],
    check: (state) => {
      expect(deposit(state)).toMatchObject({ rejectedCoinCount: 1, rejectedBillCount: 0 });
      expect(deposit(state).totalMinor).toBe(50);
      expect(state.notice).toBe('coinRejected');
    },
  },
  {
    name: 'accepting + bills the validator rejects -> counted as bill rejects (out of the slot), not coins',
    from: 'acceptingWithMoney',
    events: [
      device({ type: 'reject', device: 'bill', reason: 'rejected', count: 1 }),
      device({ type: 'reject', device: 'bill', reason: 'rejected', count: 1 }),
      device({ type: 'reject', device: 'coin', reason: 'rejected', count: 1 }),
    ],
    phase: 'accepting',
    check: (state) => {
      expect(deposit(state)).toMatchObject({ rejectedCoinCount: 1, rejectedBillCount: 2, totalMinor: 50 });
      const snapshot = depositSnapshot(testConfig, state, 1);
      expect(snapshot).toMatchObject({ rejectedCoinCount: 1, rejectedBillCount: 2 });
      expect(KioskSnapshotSchema.safeParse(snapshot).success).toBe(true);
    },
  },
  {
    name: 'accepting + finish -> draining (shopper), acceptors shut, drain timer',
    from: 'acceptingWithMoney',
    events: [intent({ type: 'finish' })],
    phase: 'draining',
    effects: ['cancelTimer:idle', 'inhibitAcceptors', 'startTimer:drain'],
    check: (state) => expect(state).toMatchObject({ endedBy: 'shopper' }),
  },
  {
    name: 'accepting with money + cancel -> finishes (coins cannot be handed back)',
    from: 'acceptingWithMoney',
    events: [intent({ type: 'cancel' })],
    phase: 'draining',
  },
  {
    name: 'accepting with money + idle time-out -> draining, counted money kept',
    from: 'acceptingWithMoney',
    events: [timer('idle')],
    phase: 'draining',
    check: (state) => {
      expect(state).toMatchObject({ endedBy: 'idleTimeout', notice: 'idleTimeout' });
      expect(deposit(state).totalMinor).toBe(50);
    },
  },
  {
    name: 'accepting with no money + idle time-out -> idle, deposit abandoned',
    from: 'accepting',
    events: [timer('idle', at(60_000))],
    phase: 'idle',
    effects: ['cancelTimer:idle', 'inhibitAcceptors', 'abandonDeposit'],
  },
  {
    name: 'accepting with no money but lost events + idle time-out -> drains to commit, never abandoned',
    from: () => stateAfter([device({ type: 'lostEvents', device: 'coin', count: 6 })], fixtures.accepting()),
    events: [timer('idle', at(60_000))],
    phase: 'draining',
    check: (state, effects) => {
      expect(types(effects)).not.toContain('abandonDeposit');
      expect(deposit(state)).toMatchObject({ totalMinor: 0, lostEvents: true });
    },
  },
  {
    name: 'accepting with no money but a reset + cancel, then the drain -> commits a zero total, flagged',
    from: () => stateAfter([device({ type: 'reset', device: 'coin' })], fixtures.accepting()),
    events: [intent({ type: 'cancel' }), timer('drain', at(testConfig.drainMs))],
    phase: 'committing',
    check: (state, effects) => {
      expect(effects).toContainEqual(
        expect.objectContaining({ type: 'commitDeposit', depositId, expectedTotalMinor: 0 }),
      );
      expect(deposit(state).lostEvents).toBe(true);
    },
  },
  {
    name: 'accepting with only a bill in escrow + idle time-out -> drains to count the bill',
    from: 'accepting',
    events: [escrow(500), timer('idle')],
    phase: 'draining',
  },
  {
    name: 'a jam with coins counted -> draining (deviceFault), fault and one lost event journaled to the deposit',
    from: 'acceptingWithMoney',
    events: [device({ type: 'fault', device: 'coin', fault: 'jam', detail: 'coin path' })],
    phase: 'draining',
    effects: ['cancelTimer:idle', 'journal', 'journal', 'inhibitAcceptors', 'startTimer:drain'],
    check: (state, effects) => {
      expect(state).toMatchObject({ endedBy: 'deviceFault', lastError: 'DEVICE_FAULT' });
      expect(deposit(state)).toMatchObject({ deviceFault: true, lostEvents: true, totalMinor: 50 });
      expect(journaled(effects)[0]).toMatchObject({ depositId, entry: { type: 'fault', fault: 'jam' } });
      expect(journaled(effects)[1]).toMatchObject({
        depositId,
        entry: { type: 'lostEvents', device: 'coin' },
      });
    },
  },
  {
    name: 'accepting + bill validator disconnects -> draining (deviceFault)',
    from: 'acceptingWithMoney',
    events: [device({ type: 'disconnected', device: 'bill' })],
    phase: 'draining',
    check: (state) => expect(deposit(state).deviceFault).toBe(true),
  },
  {
    name: 'accepting + printer out of paper -> keeps accepting (the money devices work)',
    from: 'acceptingWithMoney',
    events: [device({ type: 'fault', device: 'printer', fault: 'paperOut' })],
    phase: 'accepting',
    effects: [],
    check: (state) => expect(state.troubles).toEqual([{ device: 'printer', fault: 'paperOut' }]),
  },
  {
    name: 'accepting + lostEvents -> deposit flagged for review, journaled',
    from: 'acceptingWithMoney',
    events: [device({ type: 'lostEvents', device: 'coin', count: 2 })],
    phase: 'accepting',
    effects: ['journal'],
    check: (state) => expect(deposit(state).lostEvents).toBe(true),
  },
  {
    name: 'accepting + device reset -> flagged as lost events (its buffer is gone)',
    from: 'acceptingWithMoney',
    events: [device({ type: 'reset', device: 'coin' })],
    phase: 'accepting',
    check: (state) => expect(deposit(state).lostEvents).toBe(true),
  },
  {
    name: 'accepting + the validator holding a stacking bill resets -> room freed, flagged, limit sent again',
    from: () => stateAfter([escrow(2_000)], fixtures.acceptingWithMoney()),
    events: [device({ type: 'reset', device: 'bill' })],
    phase: 'accepting',
    check: (state, effects) => {
      expect(deposit(state)).toMatchObject({ escrow: null, lostEvents: true, totalMinor: 50 });
      expect(effects).toContainEqual({ type: 'enableAcceptors', remainingMinor: 4_950 });
    },
  },
  {
    name: 'after the validator reset with a bill in escrow, the next bill is stacked, not returned',
    from: () => stateAfter([escrow(2_000), device({ type: 'reset', device: 'bill' })], fixtures.accepting()),
    events: [escrow(500)],
    phase: 'accepting',
    check: (state, effects) => {
      expect(effects[0]).toEqual({ type: 'routeBill', device: 'bill', decision: 'stack' });
      expect(deposit(state).escrow).toEqual({ device: 'bill', valueMinor: 500 });
    },
  },
  {
    name: 'the coin acceptor resets while a bill is in escrow -> the bill stays held (its validator did not reset)',
    from: () => stateAfter([escrow(2_000)], fixtures.accepting()),
    events: [device({ type: 'reset', device: 'coin' })],
    phase: 'accepting',
    check: (state) => expect(deposit(state).escrow).toEqual({ device: 'bill', valueMinor: 2_000 }),
  },
  {
    name: 'the validator holding a bill disconnects -> draining, room freed, one event journaled as lost',
    from: () => stateAfter([escrow(2_000)], fixtures.accepting()),
    events: [device({ type: 'disconnected', device: 'bill' })],
    phase: 'draining',
    check: (state, effects) => {
      expect(deposit(state)).toMatchObject({ escrow: null, lostEvents: true, deviceFault: true });
      expect(journaled(effects).map((effect) => effect.type === 'journal' && effect.entry)).toEqual([
        { type: 'disconnected', device: 'bill' },
        { type: 'lostEvents', device: 'bill', count: 1 },
      ]);
    },
  },
  {
    name: 'then the drain waits for the validator to come back (not for the forgotten bill) and, at its bound, commits the zero total',
    from: () =>
      stateAfter(
        [escrow(2_000), device({ type: 'disconnected', device: 'bill' }, at(0))],
        fixtures.accepting(),
      ),
    events: [timer('drain', at(testConfig.drainMs)), timer('drain', at(testConfig.deviceSettleMsMax))],
    phase: 'committing',
    check: (_, effects) =>
      expect(effects).toContainEqual(
        expect.objectContaining({ type: 'commitDeposit', expectedTotalMinor: 0 }),
      ),
  },
  {
    name: 'draining, the validator holding the bill resets -> the next drain time-out commits without waiting',
    from: () => stateAfter([escrow(500), intent({ type: 'finish' }, at(0))], fixtures.acceptingWithMoney()),
    events: [device({ type: 'reset', device: 'bill' }), timer('drain', at(testConfig.drainMs))],
    phase: 'committing',
    check: (state, effects) => {
      expect(effects).toContainEqual(
        expect.objectContaining({ type: 'commitDeposit', expectedTotalMinor: 50 }),
      );
      expect(deposit(state)).toMatchObject({ escrow: null, lostEvents: true });
    },
  },
  {
    name: 'a scan while a deposit is open -> shown as ignored, the shopper never changes',
    from: 'acceptingWithMoney',
    events: [device({ type: 'scan', device: 'scanner', text: otherShopperCode, symbology: ']C0' })],
    phase: 'accepting',
    effects: [],
    check: (state) => {
      expect(state.notice).toBe('scanIgnored');
      expect(deposit(state).shopper.code).toBe(shopperCode);
    },
  },
  {
    name: 'accepting + a credit in another currency -> a stray, not added to the deposit',
    from: 'acceptingWithMoney',
    events: [
      device({
        type: 'credit',
        device: 'coin',
        kind: 'coin',
        ccTalkId: 'MX001A',
        currency: 'MXN',
        valueMinor: 100,
        count: 1,
      }),
    ],
    phase: 'accepting',
    check: (state, effects) => {
      expect(deposit(state).totalMinor).toBe(50);
      expect(journaled(effects)[0]).toMatchObject({ depositId: null });
    },
  },

  // draining
  {
    name: 'a coin after finish -> still counted while draining, acceptors stay shut',
    from: 'draining',
    events: [coin(10)],
    phase: 'draining',
    effects: ['journal'],
    check: (state, effects) => {
      expect(deposit(state).totalMinor).toBe(60);
      expect(journaled(effects)[0]).toMatchObject({ depositId });
    },
  },
  {
    name: 'draining + a bill in escrow -> returned (the shopper finished)',
    from: 'draining',
    events: [escrow(500)],
    phase: 'draining',
    check: (state, effects) => {
      expect(effects).toEqual([{ type: 'routeBill', device: 'bill', decision: 'return' }]);
      // Shown on the finishing screen as "the deposit is closing", not the limit.
      expect(state.notice).toBe('billAfterFinish');
      expect(depositSnapshot(testConfig, state, 1).screen).toBe('finishing');
    },
  },
  {
    name: 'a bill returned over the limit, then finish -> that notice is dropped, not shown as about the finish',
    from: () => stateAfter([escrow(10_000)], fixtures.acceptingWithMoney()),
    events: [intent({ type: 'finish' })],
    phase: 'draining',
    check: (state) => expect(state.notice).toBeNull(),
  },
  {
    name: 'draining + drain time-out with money -> committing with the counted total',
    from: 'draining',
    events: [timer('drain', at(1_500))],
    phase: 'committing',
    effects: ['cancelTimer:drain', 'commitDeposit'],
    check: (_, effects) =>
      expect(effects[1]).toEqual({
        type: 'commitDeposit',
        depositId,
        committedAtMs: at(1_500),
        expectedTotalMinor: 50,
      }),
  },
  {
    name: 'draining + drain time-out with no money -> abandoned, idle',
    from: 'drainingEmpty',
    events: [timer('drain')],
    phase: 'idle',
    effects: ['cancelTimer:drain', 'abandonDeposit'],
  },
  {
    name: 'draining with no money but lost events + drain time-out -> committing a zero total, not abandoned',
    from: () =>
      stateAfter([device({ type: 'lostEvents', device: 'coin', count: 7 })], fixtures.drainingEmpty()),
    events: [timer('drain')],
    phase: 'committing',
    effects: ['cancelTimer:drain', 'commitDeposit'],
  },
  {
    name: 'draining + drain time-out with a stacked bill not yet credited -> waits (bounded) for the bill',
    from: () => stateAfter([escrow(500), intent({ type: 'finish' }, at(0))], fixtures.acceptingWithMoney()),
    events: [timer('drain', at(testConfig.drainMs))],
    phase: 'draining',
    check: (state, effects) => {
      expect(effects).toEqual([
        {
          type: 'startTimer',
          name: 'drain',
          delayMs: Math.min(testConfig.drainMs, testConfig.escrowSettleMs - testConfig.drainMs),
        },
      ]);
      expect(deposit(state).escrow).toEqual({ device: 'bill', valueMinor: 500 });
    },
  },
  {
    name: 'draining, the waited-for bill is credited -> the next drain time-out commits it in the deposit',
    from: () =>
      stateAfter(
        [escrow(500), intent({ type: 'finish' }, at(0)), timer('drain', at(testConfig.drainMs))],
        fixtures.acceptingWithMoney(),
      ),
    events: [billCredit(500), timer('drain', at(2 * testConfig.drainMs))],
    phase: 'committing',
    check: (_, effects) =>
      expect(effects).toContainEqual(
        expect.objectContaining({ type: 'commitDeposit', expectedTotalMinor: 550 }),
      ),
  },
  {
    name: 'draining, the bill never comes -> commits at the settle deadline without it, flagged lost events',
    from: () => stateAfter([escrow(500), intent({ type: 'finish' }, at(0))], fixtures.acceptingWithMoney()),
    events: [timer('drain', at(testConfig.escrowSettleMs))],
    phase: 'committing',
    check: (state, effects) => {
      expect(journaled(effects)).toMatchObject([{ entry: { type: 'lostEvents', device: 'bill' } }]);
      expect(deposit(state)).toMatchObject({ lostEvents: true, escrow: null });
      expect(effects).toContainEqual(
        expect.objectContaining({ type: 'commitDeposit', expectedTotalMinor: 50 }),
      );
    },
  },
  {
    name: 'draining while a bulk counter counts -> the drain time-out waits, and the counter stopping commits at once',
    from: () =>
      stateAfter(
        [device({ type: 'counterState', device: 'counter', state: 'counting' }), intent({ type: 'finish' })],
        fixtures.acceptingWithMoney(),
      ),
    events: [
      timer('drain', at(testConfig.drainMs)),
      coin(25, at(testConfig.drainMs + 500)),
      device({ type: 'counterState', device: 'counter', state: 'batchDone' }, at(testConfig.drainMs + 600)),
    ],
    phase: 'committing',
    check: (state, effects) => {
      expect(deposit(state)).toMatchObject({ totalMinor: 75, lostEvents: false });
      expect(state.counting).toEqual([]);
      expect(effects).toContainEqual(
        expect.objectContaining({ type: 'commitDeposit', expectedTotalMinor: 75 }),
      );
    },
  },
  {
    name: 'draining while a bulk counter never stops -> commits at depositCounterSettleMsMax, flagged lost events',
    from: () =>
      stateAfter(
        [device({ type: 'counterState', device: 'counter', state: 'counting' }), intent({ type: 'finish' })],
        fixtures.acceptingWithMoney(),
      ),
    events: [timer('drain', at(testConfig.drainMs)), timer('drain', at(testConfig.counterSettleMsMax))],
    phase: 'committing',
    check: (_, effects) =>
      expect(journaled(effects)).toMatchObject([{ entry: { type: 'lostEvents', device: 'counter' } }]),
  },
  {
    name: 'accepting, nothing counted, idle time-out while a bulk counter counts -> drains rather than abandons',
    from: () =>
      stateAfter(
        [device({ type: 'counterState', device: 'counter', state: 'counting' })],
        fixtures.accepting(),
      ),
    events: [timer('idle', at(testConfig.idleTimeoutMs))],
    phase: 'draining',
    check: (_, effects) => expect(types(effects)).not.toContain('abandonDeposit'),
  },
  {
    name: 'accepting + the coin acceptor resets -> flagged, and the accept limit is sent again',
    from: 'acceptingWithMoney',
    events: [device({ type: 'reset', device: 'coin' })],
    phase: 'accepting',
    effects: ['journal', 'enableAcceptors'],
  },
  {
    name: 'accepting + a money device reconnects -> the accept limit is sent again',
    from: 'acceptingWithMoney',
    events: [device({ type: 'connected', device: 'coin' })],
    phase: 'accepting',
    check: (_, effects) => expect(effects).toEqual([{ type: 'enableAcceptors', remainingMinor: 4_950 }]),
  },
  {
    name: 'idle + a money device reconnects -> told again to stay closed',
    from: 'idle',
    events: [device({ type: 'connected', device: 'bill' })],
    phase: 'idle',
    effects: ['inhibitAcceptors'],
  },
  {
    name: 'draining + fault -> still draining, deposit flagged deviceFault and lost events',
    from: 'draining',
    events: [device({ type: 'fault', device: 'coin', fault: 'jam' })],
    phase: 'draining',
    effects: ['journal', 'journal', 'inhibitAcceptors'],
    check: (state) => expect(deposit(state)).toMatchObject({ deviceFault: true, lostEvents: true }),
  },
  {
    name: 'draining + finish again / stale idle timer -> nothing',
    from: 'draining',
    events: [intent({ type: 'finish' }), timer('idle')],
    phase: 'draining',
    effects: [],
  },

  // committing
  {
    name: 'committing + committed -> printing the receipt, receipt timer',
    from: 'committing',
    events: [],
    phase: 'committing',
    check: (state) => {
      const result = step(testConfig, state, committedEvent(state));
      expect(result.state.phase).toBe('printing');
      expect(types(result.effects)).toEqual(['print', 'startTimer:receipt']);
      expect(result.state).toMatchObject({ receipt: { status: 'printing', newBalanceMinor: 1_050 } });
    },
  },
  {
    name: 'committing + a stray coin -> a stray deposit, not added to the one committing',
    from: 'committing',
    events: [coin(5)],
    phase: 'committing',
    check: (_, effects) => expect(journaled(effects)[0]).toMatchObject({ type: 'commitStray' }),
  },

  // printing
  {
    name: 'printing + printed -> done, receipt printed',
    from: 'printing',
    events: [{ type: 'printResult', requestId: 2, outcome: { ok: true }, atMs: t0Ms }],
    phase: 'printing',
    check: (state) => expect(state).toMatchObject({ receipt: { status: 'printed' } }),
  },
  {
    name: 'printing + print failed -> receipt failed, DEVICE_FAULT shown',
    from: 'printing',
    events: [{ type: 'printResult', requestId: 2, outcome: { ok: false, fault: 'paperOut' }, atMs: t0Ms }],
    phase: 'printing',
    check: (state) =>
      expect(state).toMatchObject({ receipt: { status: 'failed' }, lastError: 'DEVICE_FAULT' }),
  },
  {
    name: 'printing + an answer to an older print -> ignored',
    from: 'printing',
    events: [{ type: 'printResult', requestId: 1, outcome: { ok: false, fault: null }, atMs: t0Ms }],
    phase: 'printing',
    check: (state) => expect(state).toMatchObject({ receipt: { status: 'printing' } }),
  },
  {
    name: 'printing + reprint before any print came out -> the same job, unmarked (it is the first paper)',
    from: () =>
      stateAfter(
        [{ type: 'printResult', requestId: 2, outcome: { ok: false, fault: 'paperOut' }, atMs: t0Ms }],
        fixtures.printing(),
      ),
    events: [intent({ type: 'reprint' })],
    phase: 'printing',
    effects: ['print'],
    check: (state, effects) => {
      expect(state).toMatchObject({ receipt: { requestId: 3, status: 'printing' } });
      expect(effects[0]).toMatchObject({ type: 'print', job: receiptOf(state).job });
      expect(printedTexts(effects)).not.toContain(receiptMessages.en.copy);
    },
  },
  {
    name: 'printing + reprint after the receipt came out -> printed again marked as a copy, with the time',
    from: 'printing',
    events: [
      { type: 'printResult', requestId: 2, outcome: { ok: true }, atMs: t0Ms },
      intent({ type: 'reprint' }, t0Ms + 65_000),
    ],
    phase: 'printing',
    effects: ['print'],
    check: (state, effects) => {
      expect(state).toMatchObject({ receipt: { requestId: 3, status: 'printing', printedOnce: true } });
      const m = receiptMessages.en;
      const lines = printedTexts(effects);
      expect(lines.slice(0, 2)).toEqual([m.depositTitle, m.copy]);
      expect(lines[2]).toMatch(new RegExp(`^${m.reprinted} .*\\d{2}:01:05`));
      // The first print, as the done screen keeps it, has no copy mark.
      const firstPrint = receiptOf(state).job.lines.map((line) => (line.type === 'text' ? line.text : ''));
      expect(firstPrint).not.toContain(m.copy);
    },
  },
  {
    name: 'printing + a reprint that fails after one came out -> the next one is still a copy',
    from: 'printing',
    events: [
      { type: 'printResult', requestId: 2, outcome: { ok: true }, atMs: t0Ms },
      intent({ type: 'reprint' }),
      { type: 'printResult', requestId: 3, outcome: { ok: false, fault: 'paperOut' }, atMs: t0Ms },
      intent({ type: 'reprint' }),
    ],
    phase: 'printing',
    check: (_, effects) => expect(printedTexts(effects)).toContain(receiptMessages.en.copy),
  },
  {
    name: 'printing (printed) + scan of a code -> the next deposit starts with that code',
    from: () =>
      stateAfter(
        [{ type: 'printResult', requestId: 2, outcome: { ok: true }, atMs: t0Ms }],
        fixtures.printing(),
      ),
    events: [device({ type: 'scan', device: 'scanner', text: otherShopperCode, symbology: ']C0' })],
    phase: 'lookingUp',
    effects: ['cancelTimer:receipt', 'startTimer:idle', 'cancelTimer:idle', 'lookup', 'startTimer:lookup'],
    check: (state) => expect(state).toMatchObject({ code: otherShopperCode, notice: null, lastError: null }),
  },
  {
    name: 'printing (receipt still printing) + scan -> the done screen stays, the scan shown as ignored',
    from: 'printing',
    events: [device({ type: 'scan', device: 'scanner', text: otherShopperCode, symbology: ']C0' })],
    phase: 'printing',
    effects: [],
    check: (state) => expect(state.notice).toBe('scanIgnored'),
  },
  {
    name: 'printing a voucher that failed to print + scan -> stays: the screen is the only copy of its code',
    from: () => {
      const committing = stateAfter(
        [timer('drain')],
        stateAfter(
          [intent({ type: 'finish' })],
          stateAfter([coin(25)], stateAfter([intent({ type: 'confirm' })], fixtures.confirmingVoucher())),
        ),
      );
      return stateAfter(
        [
          committedEvent(committing),
          { type: 'printResult', requestId: 1, outcome: { ok: false, fault: 'paperOut' }, atMs: t0Ms },
        ],
        committing,
      );
    },
    events: [device({ type: 'scan', device: 'scanner', text: otherShopperCode, symbology: ']C0' })],
    phase: 'printing',
    effects: [],
    check: (state) => {
      expect(state).toMatchObject({ notice: 'scanIgnored', receipt: { status: 'failed' } });
      if (state.phase !== 'printing') throw new Error('not printing');
      expect(state.receipt.deposit.claimCode).toBe(claimCode);
    },
  },
  {
    name: 'printing + receipt time-out -> idle, language back to the default',
    from: () => stateAfter([intent({ type: 'chooseLanguage', language: 'es' })], fixtures.printing()),
    events: [timer('receipt')],
    phase: 'idle',
    effects: ['cancelTimer:receipt'],
    check: (state) => expect(state.language).toBe('en'),
  },
  {
    name: 'printing + dismiss -> idle',
    from: 'printing',
    events: [intent({ type: 'dismiss' })],
    phase: 'idle',
  },
  {
    name: 'a coin after commit -> a stray deposit of its own, never added to the committed one',
    from: 'printing',
    events: [coin(25)],
    phase: 'printing',
    effects: ['commitStray', 'inhibitAcceptors'],
    check: (state, effects) => {
      expect(journaled(effects)[0]).toMatchObject({ type: 'commitStray', entry: { valueMinor: 25 } });
      expect(state).toMatchObject({ receipt: { deposit: { totalMinor: 50 } } });
    },
  },
  {
    name: 'lost events after commit -> an alarm deposit of their own, the committed one untouched',
    from: 'printing',
    events: [device({ type: 'lostEvents', device: 'coin', count: 9 })],
    phase: 'printing',
    effects: ['commitAlarm'],
    check: (state) => expect(state).toMatchObject({ receipt: { deposit: { flags: { lostEvents: false } } } }),
  },
  {
    name: 'printing + a money device fault -> done screen stays, then outOfService',
    from: 'printing',
    events: [device({ type: 'fault', device: 'coin', fault: 'jam' }), timer('receipt')],
    phase: 'outOfService',
  },

  // outOfService
  {
    name: 'outOfService + fault cleared -> idle',
    from: 'outOfService',
    events: [device({ type: 'faultCleared', device: 'coin', fault: 'jam' })],
    phase: 'idle',
  },
  {
    name: 'outOfService + one of two faults cleared -> still outOfService',
    from: () => stateAfter([device({ type: 'disconnected', device: 'bill' })], fixtures.outOfService()),
    events: [device({ type: 'faultCleared', device: 'coin', fault: 'jam' })],
    phase: 'outOfService',
  },
  {
    name: 'outOfService (disconnected) + connected -> idle',
    from: () => stateAfter([device({ type: 'disconnected', device: 'bill' })]),
    events: [device({ type: 'connected', device: 'bill' })],
    phase: 'idle',
  },
  {
    name: 'outOfService + start -> nothing',
    from: 'outOfService',
    events: [intent({ type: 'start' })],
    phase: 'outOfService',
    effects: [],
  },
  {
    name: 'outOfService + a coin -> a stray deposit, still journaled',
    from: 'outOfService',
    events: [coin(25)],
    phase: 'outOfService',
    effects: ['commitStray', 'inhibitAcceptors'],
  },

  // offlineCapped
  {
    name: 'offlineCapped + start -> nothing (no money is taken)',
    from: 'offlineCapped',
    events: [intent({ type: 'start' })],
    phase: 'offlineCapped',
    effects: [],
  },
  {
    name: 'offlineCapped + the outbox drained -> idle',
    from: 'offlineCapped',
    events: [{ type: 'outboxStatus', unsyncedTotalMinor: 0, oldestUnsyncedAtMs: null, atMs: t0Ms }],
    phase: 'idle',
  },
  {
    name: 'offlineCapped + back online -> idle',
    from: 'offlineCapped',
    events: [{ type: 'connectivity', online: true, atMs: t0Ms }],
    phase: 'idle',
  },
  {
    name: 'idle + start while offline with the cap full -> offlineCapped (checked again at the start)',
    from: () =>
      stateAfter([
        { type: 'outboxStatus', unsyncedTotalMinor: unsyncedCapMinor, oldestUnsyncedAtMs: t0Ms, atMs: t0Ms },
        { type: 'lookupResult', requestId: 0, result: { kind: 'unreachable' }, atMs: t0Ms },
      ]),
    events: [{ type: 'connectivity', online: false, atMs: t0Ms }],
    phase: 'offlineCapped',
  },
];

describe('deposit machine, state x event table', () => {
  it.each(cases)('$name', ({ from, events, phase, effects, check }) => {
    const start = typeof from === 'function' ? from() : fixtures[from]();
    const result = run(events, start);
    expect(result.state.phase).toBe(phase);
    if (effects !== undefined) expect(types(result.effects)).toEqual(effects);
    check?.(result.state, result.effects);
    expect(() => KioskSnapshotSchema.parse(depositSnapshot(testConfig, result.state, 1))).not.toThrow();
  });
});

describe('deposit machine, whole journeys', () => {
  it('a device fault mid-deposit ends it with what was counted, commits it flagged, then goes out of service', () => {
    const draining = stateAfter(
      [device({ type: 'fault', device: 'coin', fault: 'jam' })],
      fixtures.acceptingWithMoney(),
    );
    const committing = stateAfter([timer('drain')], draining);
    expect(deposit(committing)).toMatchObject({ totalMinor: 50, deviceFault: true });
    const printing = stateAfter([committedEvent(committing)], committing);
    expect(printing.phase).toBe('printing');
    const after = stateAfter([timer('receipt')], printing);
    expect(after.phase).toBe('outOfService');
    expect(depositSnapshot(testConfig, after, 1).outOfService).toEqual({
      device: 'coin',
      fault: 'jam',
      errorCode: 'DEVICE_FAULT',
    });
  });

  it('a deposit that lost events and counted nothing is committed at zero and its receipt printed', () => {
    const committing = stateAfter(
      [device({ type: 'reset', device: 'bill' }), intent({ type: 'finish' }), timer('drain')],
      fixtures.accepting(),
    );
    expect(committing.phase).toBe('committing');
    const committed = committedFor(committing);
    expect(committed).toMatchObject({ totalMinor: 0, items: [], flags: { lostEvents: true } });
    const printing = run([committedEvent(committing, committed)], committing);
    expect(printing.state.phase).toBe('printing');
    expect(types(printing.effects)).toContain('print');
  });

  it('an offline deposit prints "pending" instead of a balance', () => {
    const accepting = stateAfter([intent({ type: 'confirm' }), coin(100)], fixtures.confirmingOffline());
    const committing = stateAfter([intent({ type: 'finish' }), timer('drain')], accepting);
    const printing = stateAfter([committedEvent(committing)], committing);
    expect(depositSnapshot(testConfig, printing, 1).receipt).toMatchObject({
      pending: true,
      newBalanceMinor: null,
    });
  });
});

describe('deposit machine, the notice the done screen shows', () => {
  const handedBack = device({ type: 'reject', device: 'coin', reason: 'rejected', count: 1 });
  const otherScan = device({ type: 'scan', device: 'scanner', text: otherShopperCode, symbology: ']C0' });
  const limitOf100 = (): DepositState =>
    stateAfter([found(100), intent({ type: 'confirm' })], fixtures.lookingUp());

  // A notice about something during the deposit is stale once it is committed; why the deposit ended, when
  // the shopper did not end it, is still true and is the one thing the done screen would not say otherwise.
  it.each([
    { name: 'a coin handed back, then Finish', events: [handedBack], shown: 'coinRejected', done: null },
    { name: 'a bill handed back, then Finish', events: [escrow(10_000)], shown: 'billOverLimit', done: null },
    { name: 'a scan ignored, then Finish', events: [otherScan], shown: 'scanIgnored', done: null },
    {
      name: 'the idle time-out, then a coin handed back while finishing',
      events: [timer('idle'), handedBack],
      shown: 'coinRejected',
      done: 'idleTimeout',
    },
    {
      name: 'the limit reached, then a coin handed back while finishing',
      from: limitOf100,
      events: [coin(100), handedBack],
      shown: 'coinRejected',
      done: 'limitReached',
    },
  ])('$name: $done', ({ from = fixtures.acceptingWithMoney, events, shown, done }) => {
    const before = stateAfter(events, from());
    expect(depositSnapshot(testConfig, before, 1).notice).toBe(shown);
    const committing = stateAfter([intent({ type: 'finish' }), timer('drain')], before);
    expect(committing.phase).toBe('committing');
    const printing = stateAfter([committedEvent(committing)], committing);
    expect(depositSnapshot(testConfig, printing, 1)).toMatchObject({ screen: 'done', notice: done });
  });
});

describe('deposit machine, impossible events throw', () => {
  it('a commit answer outside committing', () => {
    const committing = fixtures.committing();
    const deposit = committedFor(committing);
    expect(() => step(testConfig, fixtures.idle(), committedEvent(committing, deposit))).toThrow();
  });

  it('a commit answer whose total differs from what the machine counted', () => {
    const committing = fixtures.committing();
    const deposit = { ...committedFor(committing), totalMinor: 75 };
    expect(() => step(testConfig, committing, committedEvent(committing, deposit))).toThrow(/differs/);
  });

  it('a confirm without the fresh ids the runner must supply', () => {
    expect(() =>
      step(testConfig, fixtures.confirming(), {
        type: 'intent',
        intent: { type: 'confirm' },
        fresh: null,
        atMs: t0Ms,
      }),
    ).toThrow();
  });
});

/** One of each event the outside world can send at any moment. */
const anyTimeEvents: Array<[string, DepositEvent]> = [
  ['coin', coin(25)],
  ['bill credit', billCredit(500)],
  ['escrow', escrow(500)],
  ['reject', device({ type: 'reject', device: 'coin', reason: 'rejected', count: 1 })],
  ['coin jam', device({ type: 'fault', device: 'coin', fault: 'jam' })],
  ['coin fault cleared', device({ type: 'faultCleared', device: 'coin', fault: 'jam' })],
  ['printer paper out', device({ type: 'fault', device: 'printer', fault: 'paperOut' })],
  ['bill disconnected', device({ type: 'disconnected', device: 'bill' })],
  ['bill connected', device({ type: 'connected', device: 'bill' })],
  ['lostEvents', device({ type: 'lostEvents', device: 'coin', count: 1 })],
  ['reset', device({ type: 'reset', device: 'coin' })],
  ['counter counting', device({ type: 'counterState', device: 'counter', state: 'counting' })],
  ['scan', device({ type: 'scan', device: 'scanner', text: otherShopperCode, symbology: ']C0' })],
  ...(['start', 'noAccount', 'confirm', 'cancel', 'finish', 'reprint', 'dismiss'] as const).map(
    (type): [string, DepositEvent] => [type, intent({ type })],
  ),
  ['keyedCode', intent({ type: 'keyedCode', text: otherShopperCode })],
  ['chooseLanguage', intent({ type: 'chooseLanguage', language: 'es' })],
  ...(['idle', 'lookup', 'drain', 'receipt'] as const).map((name): [string, DepositEvent] => [
    `timer ${name}`,
    timer(name),
  ]),
  ['lookup found', found(5_000)],
  ['lookup unreachable', unreachable()],
  ['print ok', { type: 'printResult', requestId: 2, outcome: { ok: true }, atMs: t0Ms }],
  ['offline', { type: 'connectivity', online: false, atMs: t0Ms }],
  ['online', { type: 'connectivity', online: true, atMs: t0Ms }],
  [
    'outbox full',
    { type: 'outboxStatus', unsyncedTotalMinor: unsyncedCapMinor, oldestUnsyncedAtMs: t0Ms, atMs: t0Ms },
  ],
];

describe('deposit machine, every state x every event', () => {
  const names = Object.keys(fixtures) as FixtureName[];
  const pairs = names.flatMap((name) => anyTimeEvents.map(([label, event]) => ({ name, label, event })));

  it.each(pairs)('$name + $label keeps money and the snapshot sound', ({ name, event }) => {
    const before = fixtures[name]();
    const { state, effects } = step(testConfig, before, event);
    expect(() => KioskSnapshotSchema.parse(depositSnapshot(testConfig, state, 1))).not.toThrow();
    const credits = journaled(effects).filter((effect) => effect.entry.type === 'credit');
    const isCredit = event.type === 'device' && event.event.type === 'credit';
    // Every credit is journaled exactly once, somewhere; nothing else journals a credit.
    expect(credits).toHaveLength(isCredit ? 1 : 0);
    const open = (s: DepositState) => (s.phase === 'accepting' || s.phase === 'draining' ? s.deposit : null);
    const was = open(before);
    const now = open(state) ?? (state.phase === 'committing' ? state.deposit : null);
    if (was !== null && now !== null) {
      // Within an open deposit the total never goes down, and grows by exactly the credit journaled to it.
      const credited = credits.find(
        (effect) => effect.type === 'journal' && effect.depositId === was.depositId,
      );
      const addedMinor =
        credited?.type === 'journal' && credited.entry.type === 'credit'
          ? credited.entry.valueMinor * credited.entry.count
          : 0;
      expect(now.totalMinor).toBe(was.totalMinor + addedMinor);
    }
    if (was !== null && now === null) {
      // A deposit with money leaves only through committing; one without, only through abandonment.
      expect(was.totalMinor).toBe(0);
      expect(types(effects)).toContain('abandonDeposit');
    }
    if (isCredit && event.type === 'device' && was === null) {
      // With no deposit open, money in the kiosk's currency becomes a stray deposit of its own.
      expect(credits[0]?.type).toBe('commitStray');
    }
  });
});

// Used only to keep the table's types honest: every DeviceEvent type appears in anyTimeEvents.
const deviceTypesCovered: Record<DeviceEvent['type'], true> = {
  credit: true,
  escrow: true,
  reject: true,
  fault: true,
  faultCleared: true,
  lostEvents: true,
  reset: true,
  counterState: true,
  connected: true,
  disconnected: true,
  scan: true,
};
it('the any-time table covers every device event type', () => {
  const covered = new Set(anyTimeEvents.flatMap(([, e]) => (e.type === 'device' ? [e.event.type] : [])));
  expect([...covered].sort()).toEqual(Object.keys(deviceTypesCovered).sort());
});

describe('coins poured into a bulk counter before a deposit is open', () => {
  const pourConfig = {
    ...testConfig,
    deviceKinds: { ...testConfig.deviceKinds, counter: 'bulkCounter' },
  } as const;
  const fresh = { depositId, claimCode };
  const poured = (count: number, withFresh: typeof fresh | null = fresh): DepositEvent => ({
    type: 'device',
    event: counterQuarters(count),
    fresh: withFresh,
    atMs: t0Ms,
  });

  it.each(['idle', 'identifying', 'lookingUp', 'confirming', 'confirmingVoucher'] as const)(
    'from %s: a voucher deposit opens with the pour in it, journaled open before the coins',
    (from) => {
      const { state, effects } = step(pourConfig, fixtures[from](), poured(12));
      expect(state).toMatchObject({ phase: 'accepting', notice: 'pouredAsVoucher' });
      expect(deposit(state)).toMatchObject({
        depositId,
        claimCode,
        totalMinor: 300,
        shopper: { code: null, voucher: true, maxMinor: testConfig.voucherDepositMaxMinor },
      });
      const kinds = types(effects);
      expect(kinds.indexOf('openDeposit')).toBeLessThan(kinds.indexOf('journal'));
      expect(journaled(effects)).toMatchObject([
        { type: 'journal', depositId, entry: { device: 'counter', count: 12 } },
      ]);
      // More of the pour is counted in the same deposit, and the screen still says why it is a voucher.
      const more = step(pourConfig, state, poured(3));
      expect(deposit(more.state).totalMinor).toBe(375);
      expect(more.state.notice).toBe('pouredAsVoucher');
      expect(types(more.effects)).not.toContain('openDeposit');
    },
  );

  it('stays a stray for a coin acceptor (shut outside a deposit: a late coin), without ids, or offline and full', () => {
    const acceptorCoin = coin(25);
    if (acceptorCoin.type !== 'device') throw new Error('a coin is a device event');
    const late = step(pourConfig, fixtures.idle(), { ...acceptorCoin, fresh });
    expect(late.state.phase).toBe('idle');
    expect(journaled(late.effects)).toMatchObject([{ type: 'commitStray' }]);
    const noIds = step(pourConfig, fixtures.idle(), poured(2, null));
    expect(journaled(noIds.effects)).toMatchObject([{ type: 'commitStray' }]);
    // Offline with every unsynced cent the kiosk may hold already held: no voucher can open.
    const capped = step(pourConfig, fixtures.offlineCapped(), poured(2));
    expect(capped.state.phase).toBe('offlineCapped');
    expect(journaled(capped.effects)).toMatchObject([{ type: 'commitStray' }]);
    // Offline with some room: the voucher opens, capped at the room left.
    const room = 500;
    const nearlyFull = stateAfter(offline(testConfig.offlineUnsyncedMaxMinor - room), fixtures.idle());
    expect(nearlyFull.phase).toBe('idle');
    const opened = step(pourConfig, nearlyFull, poured(2));
    expect(deposit(opened.state).shopper).toMatchObject({ voucher: true, offline: true });
    expect(deposit(opened.state).shopper.maxMinor).toBeLessThanOrEqual(room);
    // After the deposit committed (its receipt printing), a late pour is a stray too: that record is final.
    const printing = step(pourConfig, fixtures.printing(), poured(1));
    expect(printing.state.phase).toBe('printing');
    expect(journaled(printing.effects)).toMatchObject([{ type: 'commitStray' }]);
  });
});
