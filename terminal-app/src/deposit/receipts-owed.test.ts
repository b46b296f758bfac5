import type { PrintJob } from '@cashin/shared';
import { formatCode, parseCode } from '@cashin/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TempJournal } from '../journal/testing/temp-journal.js';
import { tempJournal } from '../journal/testing/temp-journal.js';
import { receiptMessages } from '../receipt/receipt-messages.js';
import { testConfig } from './testing/deposit-fixtures.js';
import { RunnerRig } from './testing/runner-rig.js';

// A voucher's claim code is the only key to its money (the server keeps a hash of it), and an offline
// receipt's signed QR the only proof of its deposit: a receipt committed but never printed is owed to its
// shopper. The journal knows which printed; what a crash or a printer fault kept from printing is printed at
// start and when the printer comes back, or shown on the done screen when it cannot print.
let temp: TempJournal;
let rig: RunnerRig;
beforeEach(() => {
  temp = tempJournal(testConfig.terminalId);
  rig = new RunnerRig(temp);
});
afterEach(() => {
  rig.crash();
  temp.cleanup();
});

/** Every text line of a print job, joined. */
function textOf(job: PrintJob): string {
  return job.lines.map((line) => (line.type === 'text' ? line.text : '')).join('\n');
}

function claimCodeOnPaper(job: PrintJob, claimCode: string): boolean {
  const parsed = parseCode(claimCode, ['claim']);
  return parsed.ok && textOf(job).includes(formatCode(parsed.code));
}

/** A shopper with no account asks for a voucher and feeds a bill. */
function voucherWithBill(valueMinor: number): void {
  rig.runner.intent({ type: 'start' });
  rig.runner.intent({ type: 'noAccount' });
  rig.runner.intent({ type: 'confirm' });
  expect(rig.devices.insertBill(valueMinor)).toBe(true);
  expect(rig.snapshot.totalMinor).toBe(valueMinor);
}

describe('receipts owed to their shoppers', () => {
  it('prints a voucher recovered after a power blip at start, marked recovered, and shows its claim code', async () => {
    voucherWithBill(2_000);
    rig.restart();
    await rig.settle();
    const [recovered] = rig.lastRecovery.recovered;
    expect(recovered).toMatchObject({ totalMinor: 2_000, flags: { recovered: true } });
    expect(rig.devices.printed).toHaveLength(1);
    const [job] = rig.devices.printed;
    expect(claimCodeOnPaper(job!, recovered!.claimCode!)).toBe(true);
    expect(textOf(job!)).toContain(receiptMessages.en.recovered);
    expect(rig.snapshot).toMatchObject({
      screen: 'done',
      receipt: { depositId: recovered!.depositId, status: 'printed', totalMinor: 2_000 },
    });
    expect(rig.snapshot.receipt?.claimCode).not.toBeNull();
    // Printed once: the next start owes nothing.
    expect(rig.journal.unprintedReceipts(10)).toEqual([]);
    rig.restart();
    await rig.settle();
    expect(rig.devices.printed).toHaveLength(1);
    expect(rig.snapshot.screen).toBe('attract');
  });

  it('shows an owed voucher on screen when it cannot print, once, and prints it when the printer is back', async () => {
    voucherWithBill(500);
    rig.devices.printOutcome = { ok: false, fault: 'paperOut' };
    rig.restart();
    await rig.settle();
    const claimCode = rig.lastRecovery.recovered[0]!.claimCode!;
    // The screen is the only copy now: the done screen shows the claim code with the failed print.
    expect(rig.snapshot).toMatchObject({ screen: 'done', receipt: { status: 'failed' } });
    expect(rig.snapshot.receipt?.claimCode).not.toBeNull();
    expect(claimCode.replace(/\D/g, '')).toBe(rig.snapshot.receipt?.claimCode?.replace(/\D/g, ''));
    await rig.clock.advanceAsync(testConfig.receiptScreenMs);
    expect(rig.snapshot.screen).toBe('attract');
    // Not shown again to whoever walks up next: only a printer coming back offers it again.
    await rig.clock.advanceAsync(testConfig.receiptScreenMs * 3);
    expect(rig.snapshot.screen).toBe('attract');
    expect(rig.devices.printed).toHaveLength(1);
    expect(rig.journal.unprintedReceipts(10).map(({ deposit }) => deposit.claimCode)).toEqual([claimCode]);

    rig.devices.printOutcome = { ok: true };
    rig.devices.emit({ type: 'faultCleared', device: 'printer', fault: 'paperOut' });
    await rig.settle();
    expect(rig.devices.printed).toHaveLength(2);
    expect(claimCodeOnPaper(rig.devices.printed[1]!, claimCode)).toBe(true);
    expect(rig.journal.unprintedReceipts(10)).toEqual([]);
  });

  it('owes a receipt whose print failed at commit until the printer prints it', async () => {
    rig.devices.printOutcome = { ok: false, fault: 'paperOut' };
    voucherWithBill(1_000);
    await rig.finish();
    await rig.settle();
    expect(rig.snapshot).toMatchObject({ screen: 'done', receipt: { status: 'failed' } });
    expect(rig.journal.unprintedReceipts(10)).toHaveLength(1);
    rig.runner.intent({ type: 'dismiss' });
    rig.devices.printOutcome = { ok: true };
    rig.devices.emit({ type: 'connected', device: 'printer' });
    await rig.settle();
    expect(rig.devices.printed).toHaveLength(2);
    expect(rig.journal.unprintedReceipts(10)).toEqual([]);
    expect(rig.journal.recentDeposits(10).map((d) => d.receiptPrinted)).toEqual([true]);
  });

  it('waits for the shopper being served before it prints what is owed', async () => {
    rig.devices.printOutcome = { ok: false, fault: 'paperOut' };
    voucherWithBill(1_000);
    await rig.finish();
    rig.runner.intent({ type: 'dismiss' });
    rig.devices.printOutcome = { ok: true };
    voucherWithBill(500);
    rig.devices.emit({ type: 'faultCleared', device: 'printer', fault: 'paperOut' });
    await rig.settle();
    expect(rig.snapshot.screen).toBe('insertMoney');
    expect(rig.devices.printed).toHaveLength(1);
    await rig.finish();
    await rig.settle();
    // This shopper's receipt first; the owed one once they leave.
    expect(rig.devices.printed).toHaveLength(2);
    expect(rig.snapshot.receipt?.totalMinor).toBe(500);
    rig.runner.intent({ type: 'dismiss' });
    await rig.settle();
    expect(rig.devices.printed).toHaveLength(3);
    expect(rig.snapshot.receipt?.totalMinor).toBe(1_000);
    expect(rig.journal.unprintedReceipts(10)).toEqual([]);
  });

  it("prints nothing at start for a shopper's online deposit: its receipt carries no claim code or signed QR", async () => {
    await rig.openDeposit();
    rig.devices.insertCoin(25);
    rig.restart();
    await rig.settle();
    expect(rig.lastRecovery.recovered).toHaveLength(1);
    expect(rig.devices.printed).toEqual([]);
    expect(rig.snapshot.screen).toBe('attract');
  });
});
