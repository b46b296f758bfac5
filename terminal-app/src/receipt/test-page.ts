import type { PrintJob } from '@cashin/shared';

export interface TestPageInput {
  terminalId: string;
  terminalName: string;
  atMs: number;
}

/**
 * The page a tech prints from maintenance to check the printer: the kiosk's name, the time as the logs write
 * it (ISO, UTC), and the terminal id as a barcode to try a scanner on. The name and the time each have a
 * line of their own: together they can pass both the 64 characters a text line may hold (a name may be
 * 40) and the 42 columns the paper prints.
 */
export function buildTestPage(input: TestPageInput): PrintJob {
  return {
    title: 'test print',
    lines: [
      { type: 'text', text: 'TEST PRINT', align: 'center', bold: true, size: 'large' },
      { type: 'text', text: input.terminalName },
      { type: 'text', text: new Date(input.atMs).toISOString() },
      { type: 'barcode', symbology: 'code128', data: input.terminalId },
      { type: 'cut' },
    ],
  };
}
