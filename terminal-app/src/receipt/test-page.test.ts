import { PrintJobSchema } from '@cashin/shared';
import { describe, expect, it } from 'vitest';
import { receiptColumnsDefault } from '../devices/printer/encode-job.js';
import { buildTestPage } from './test-page.js';

describe('test page', () => {
  it('prints the longest kiosk name and the whole time, each within the paper width', () => {
    const terminalName = 'N'.repeat(40);
    const job = buildTestPage({ terminalId: 'K0042', terminalName, atMs: Date.UTC(2026, 6, 12, 20, 54, 33) });
    expect(PrintJobSchema.safeParse(job).success).toBe(true);
    const texts = job.lines.flatMap((line) => (line.type === 'text' ? [line.text] : []));
    expect(texts).toEqual(['TEST PRINT', terminalName, '2026-07-12T20:54:33.000Z']);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(receiptColumnsDefault);
  });
});
