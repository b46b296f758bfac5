import { z } from 'zod';

/**
 * A receipt as layout, not bytes: the agent turns a deposit into a print job; the printer driver turns a
 * print job into ESC/POS. Bounded so a bug cannot feed a printer a roll of paper.
 */
export const printJobLinesMax = 200;

export const PrintLineSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('text'),
    text: z.string().max(64),
    align: z.enum(['left', 'center', 'right']).default('left'),
    bold: z.boolean().default(false),
    size: z.enum(['normal', 'large']).default('normal'),
  }),
  /** Left and right text on one line ("25c x 4 ........ $1.00"). */
  z.object({ type: z.literal('columns'), left: z.string().max(48), right: z.string().max(24) }),
  z.object({ type: z.literal('barcode'), symbology: z.literal('code128'), data: z.string().min(1).max(48) }),
  z.object({ type: z.literal('qr'), data: z.string().min(1).max(512) }),
  z.object({ type: z.literal('rule') }),
  z.object({ type: z.literal('feed'), lines: z.number().int().min(1).max(10) }),
  z.object({ type: z.literal('cut') }),
]);
export type PrintLine = z.input<typeof PrintLineSchema>;

export const PrintJobSchema = z.object({
  /** What the job is for, for logs and the reprint list ("deposit 0192...", "collection report"). */
  title: z.string().max(80),
  lines: z.array(PrintLineSchema).min(1).max(printJobLinesMax),
});
export type PrintJob = z.input<typeof PrintJobSchema>;
