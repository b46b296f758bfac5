import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { DeviceEvent, PrintJob } from '@cashin/shared';
import { defaultLimits, generateCode, realClock } from '@cashin/shared';
import { duplexPair } from '@cashin/terminal-app/devices/common/duplex-pair.js';
import { ReceiptPrinter } from '@cashin/terminal-app/devices/printer/receipt-printer.js';
import { PrinterSim } from './printer-sim.js';

const run = promisify(execFile);
const zbarimg = '/usr/bin/zbarimg';

function depositReceipt(reference: string, claim: string): PrintJob {
  return {
    title: `deposit ${reference}`,
    lines: [
      { type: 'text', text: 'CASHIN KIOSK', align: 'center', bold: true, size: 'large' },
      { type: 'text', text: 'Deposit receipt' },
      { type: 'rule' },
      { type: 'columns', left: '25c x 4', right: '$1.00' },
      { type: 'columns', left: '$20 bill x 1', right: '$20.00' },
      { type: 'columns', left: 'Rejected coins', right: '2' },
      { type: 'rule' },
      { type: 'columns', left: 'TOTAL', right: '$21.00' },
      { type: 'text', text: `Ref ${reference}` },
      { type: 'barcode', symbology: 'code128', data: reference },
      { type: 'qr', data: `https://cashin.example/r/${claim}` },
      { type: 'feed', lines: 2 },
      { type: 'cut' },
    ],
  };
}

function rig() {
  const [kioskEnd, printerEnd] = duplexPair();
  const sim = new PrinterSim();
  sim.attach(printerEnd);
  const driver = new ReceiptPrinter({
    name: 'printer',
    stream: kioskEnd,
    clock: realClock(),
    limits: defaultLimits.system,
  });
  return { sim, driver };
}

describe('receipt printer driver against the ESC/POS printer simulator', () => {
  it('prints a receipt whose PNG zbarimg decodes back to the deposit reference', async () => {
    const { sim, driver } = rig();
    const reference = generateCode('deposit');
    const claim = generateCode('claim');
    const printed = sim.nextReceipt();
    expect(await driver.print(depositReceipt(reference, claim))).toMatchObject({ ok: true });
    const receipt = await printed;
    const text = sim.text(receipt);
    expect(text).toContain('CASHIN KIOSK');
    expect(text).toMatch(/25c x 4 +\$1\.00/);
    expect(text).toContain(`[CODE128 ${reference}]`);
    expect(text).toContain(`[QR https://cashin.example/r/${claim}]`);

    const dir = await mkdtemp(join(tmpdir(), 'cashin-receipt-'));
    try {
      const file = join(dir, 'receipt.png');
      await writeFile(file, await sim.png(receipt));
      const { stdout } = await run(zbarimg, ['-q', file]);
      const decoded = stdout.trim().split('\n').sort();
      expect(decoded).toEqual([`CODE-128:${reference}`, `QR-Code:https://cashin.example/r/${claim}`]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await driver.close();
  });

  it('will not print without paper or with the cover open, and says so as faults', async () => {
    const { sim, driver } = rig();
    const events: DeviceEvent[] = [];
    driver.subscribe((event) => events.push(event));
    await driver.start();
    sim.paperOut = true;
    expect(await driver.print(depositReceipt('4100000000000000', generateCode('claim')))).toEqual({
      ok: false,
      reason: 'paperOut',
    });
    sim.paperOut = false;
    sim.coverOpen = true;
    expect((await driver.selfTest()).ok).toBe(false);
    sim.coverOpen = false;
    expect((await driver.selfTest()).ok).toBe(true);
    expect(sim.receipts).toHaveLength(0);
    expect(
      events
        .filter((e) => e.type === 'fault' || e.type === 'faultCleared')
        .map((e) => `${e.type}:${'fault' in e ? e.fault : ''}`),
    ).toEqual(['fault:paperOut', 'fault:coverOpen', 'faultCleared:paperOut', 'faultCleared:coverOpen']);
    await driver.close();
  });
});
