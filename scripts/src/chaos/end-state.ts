import { z } from 'zod';

/**
 * What a network chaos run leaves behind, in one plain value: what the simulated kiosks and tills recorded
 * (the devices' own counters, the kiosks' journals, the tills' beliefs) and what the database holds (every
 * account and transfer, the kiosk deposits the server stored, open sequence-gap alerts, and the server's
 * own audit-chain verification). The checker is a pure function of this value, so a test can corrupt a
 * real end state and watch it fail; `--save-end-state` writes it as JSON, and the schema reads it back.
 */
const amount = z.number().int();

export const KioskEndStateSchema = z.object({
  name: z.string(),
  terminalId: z.string(),
  /** What the simulated coin acceptor and bill validator kept in the cash box (their own counters). */
  devicesKeptMinor: amount,
  /** Money the journal holds outside any deposit (it reached the bag and no deposit took it). */
  strayMinor: amount,
  /** Money that arrived with no deposit open and became stray deposits, bound for suspense. */
  strayDepositsMinor: amount.default(0),
  /** Every deposit the kiosk's journal committed, in sequence order. */
  deposits: z.array(
    z.object({
      depositId: z.string(),
      sequence: z.number().int(),
      totalMinor: amount,
      /** The sum of the deposit's items (count x value), which must equal its total. */
      itemsMinor: amount,
    }),
  ),
  outboxDepth: z.number().int(),
  quarantined: z.number().int(),
});
export type KioskEndState = z.infer<typeof KioskEndStateSchema>;

/**
 * What the till believes happened to each sale, from the answers it got: refused (authorize said no; no
 * cash taken), expired (the commit came too late; the clerk hands the cash back), committed (cash in the
 * drawer, wallet credited), voided (cancelled before commit, or undone after), unknown (no answer ever).
 */
export const TillOutcomeSchema = z.enum(['refused', 'expired', 'committed', 'voided', 'unknown']);
export type TillOutcome = z.infer<typeof TillOutcomeSchema>;

export const TillEndStateSchema = z.object({
  name: z.string(),
  storeId: z.string(),
  sales: z.array(
    z.object({
      authorizationId: z.string(),
      amountMinor: amount,
      outcome: TillOutcomeSchema,
      /** Whether the till saw the commit succeed before it voided: then a reversal must exist. */
      committedBeforeVoid: z.boolean(),
    }),
  ),
});
export type TillEndState = z.infer<typeof TillEndStateSchema>;

export const LedgerAccountSchema = z.object({
  id: z.string(),
  kind: z.string(),
  ownerRef: z.string(),
  currency: z.string(),
  keepsRunningBalance: z.boolean(),
  debitsPostedMinor: amount,
  creditsPostedMinor: amount,
});
export type LedgerAccount = z.infer<typeof LedgerAccountSchema>;

export const LedgerTransferSchema = z.object({
  id: z.string(),
  debitAccountId: z.string(),
  creditAccountId: z.string(),
  amountMinor: amount,
  currency: z.string(),
  code: z.string(),
  reversesId: z.string().nullable(),
});
export type LedgerTransfer = z.infer<typeof LedgerTransferSchema>;

export const EndStateSchema = z.object({
  seed: z.number().int(),
  db: z.enum(['sqlite', 'postgres']),
  currency: z.string(),
  kiosks: z.array(KioskEndStateSchema),
  tills: z.array(TillEndStateSchema),
  ledger: z.object({
    accounts: z.array(LedgerAccountSchema),
    transfers: z.array(LedgerTransferSchema),
  }),
  server: z.object({
    kioskDeposits: z.array(
      z.object({
        depositId: z.string(),
        terminalId: z.string(),
        sequence: z.number().int(),
        totalMinor: amount,
        creditedTo: z.string(),
      }),
    ),
    openSequenceGapAlerts: z.array(z.object({ terminalId: z.string(), detail: z.string() })),
    /** The server's own audit verifier (server/src/audit/audit-verify.ts), run on the final database. */
    audit: z.object({
      ok: z.boolean(),
      chains: z.number().int(),
      entries: z.number().int(),
      breaks: z.array(z.object({ chain: z.string(), seq: z.number().int(), problem: z.string() })),
    }),
  }),
});
export type EndState = z.infer<typeof EndStateSchema>;
