import { describe, expect, it } from 'vitest';
import { generateCode } from '../codes/deposit-code.js';
import { DepositCodeSchema } from '../codes/code-schema.js';
import { uuidv7 } from '../ids/uuidv7.js';
import { PhoneE164Schema, textSchema } from './common.js';
import { DeviceEventSchema } from './devices.js';
import { KioskDepositSchema } from './kiosk-deposit.js';

const deposit = {
  depositId: uuidv7(),
  sequence: 1,
  code: generateCode('deposit'),
  claimCode: null,
  currency: 'USD',
  items: [
    { kind: 'coin', ccTalkId: 'US025A', valueMinor: 25, count: 4 },
    { kind: 'bill', ccTalkId: 'US0005A', valueMinor: 500, count: 1 },
  ],
  rejectedCount: 1,
  totalMinor: 600,
  startedAt: '2026-11-22T10:00:00.000Z',
  committedAt: '2026-11-22T10:01:00.000Z',
  flags: { recovered: false, lostEvents: false, offline: false, deviceFault: false },
  receiptSignature: null,
};

describe('wire schemas', () => {
  it('accept a kiosk deposit whose total is the sum of its items', () => {
    expect(KioskDepositSchema.safeParse(deposit).success).toBe(true);
  });

  it('refuse a deposit whose total disagrees with its items, or that has no owner', () => {
    expect(KioskDepositSchema.safeParse({ ...deposit, totalMinor: 601 }).success).toBe(false);
    expect(KioskDepositSchema.safeParse({ ...deposit, code: null }).success).toBe(false);
    expect(
      KioskDepositSchema.safeParse({ ...deposit, items: [{ ...deposit.items[0], valueMinor: 2.5 }] }).success,
    ).toBe(false);
  });

  it('read codes the way people write them', () => {
    const code = generateCode('deposit');
    expect(DepositCodeSchema.parse(`${code.slice(0, 4)}-${code.slice(4, 8)} ${code.slice(8)}`)).toBe(code);
    const bad = DepositCodeSchema.safeParse(code.slice(0, -1) + String((Number(code.at(-1)) + 1) % 10));
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ params: { reason: 'checkDigit' } });
  });

  it('check phone numbers, free text and device events', () => {
    expect(PhoneE164Schema.safeParse('+15551234567').success).toBe(true);
    expect(PhoneE164Schema.safeParse('5551234567').success).toBe(false);
    expect(textSchema(10).safeParse('Maria\u0000').success).toBe(false);
    expect(textSchema(10).safeParse('  Maria ').data).toBe('Maria');
    expect(DeviceEventSchema.safeParse({ device: 'coin', type: 'lostEvents', count: 2 }).success).toBe(true);
    expect(DeviceEventSchema.safeParse({ device: 'coin', type: 'credit', kind: 'coin' }).success).toBe(false);
  });
});
