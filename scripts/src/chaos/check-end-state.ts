import { CurrencyCodeSchema, formatMoney } from '@cashin/shared';
import type { EndState, LedgerAccount, LedgerTransfer } from './end-state.js';

/**
 * The books of a network chaos run, checked from its end state alone (a pure function: no database, no
 * clock). Each check says in one line what it proved and lists every problem it found, naming the deposit,
 * the till sale, the wallet or the kiosk it is about, so a failing run points at the money that went wrong.
 */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** One line: what was compared, with the figures. */
  readonly summary: string;
  readonly problems: readonly string[];
}

export const checkNames = {
  devicesMatchJournals: 'devices = kiosk journals',
  kioskDepositsOnce: 'every kiosk deposit credited exactly once',
  tillSalesOnce: 'every till sale credited exactly once (voids undone)',
  noUnexplainedTransfer: 'no transfer twice, none unexplained',
  moneyInEqualsCredited: 'money accepted = wallets + suspense',
  debitsEqualCredits: 'debits = credits',
  walletsEqualHistory: 'every wallet equals its history',
  auditChain: 'audit chain verifies',
  noSequenceGaps: 'no sequence gaps after recovery',
} as const;

interface Index {
  readonly accounts: Map<string, LedgerAccount>;
  readonly transfersById: Map<string, LedgerTransfer[]>;
  readonly reversalsOf: Map<string, LedgerTransfer[]>;
  /** kind:ownerRef -> account id. */
  readonly accountOf: Map<string, string>;
}

function indexOf(state: EndState): Index {
  const accounts = new Map(state.ledger.accounts.map((account) => [account.id, account]));
  const transfersById = new Map<string, LedgerTransfer[]>();
  const reversalsOf = new Map<string, LedgerTransfer[]>();
  for (const transfer of state.ledger.transfers) {
    transfersById.set(transfer.id, [...(transfersById.get(transfer.id) ?? []), transfer]);
    if (transfer.reversesId !== null)
      reversalsOf.set(transfer.reversesId, [...(reversalsOf.get(transfer.reversesId) ?? []), transfer]);
  }
  const accountOf = new Map(
    state.ledger.accounts.map((account) => [`${account.kind}:${account.ownerRef}`, account.id]),
  );
  return { accounts, transfersById, reversalsOf, accountOf };
}

function result(name: string, summary: string, problems: string[]): CheckResult {
  return { name, ok: problems.length === 0, summary, problems };
}

export function checkEndState(state: EndState): CheckResult[] {
  const index = indexOf(state);
  const currency = CurrencyCodeSchema.parse(state.currency);
  // Plain spaces (Intl puts a no-break space after the code): messages are read and searched in a terminal.
  const money = (minor: number | bigint): string =>
    formatMoney(minor, currency, 'en-US', 'code').replace(/\u00a0/g, ' ');
  return [
    devicesMatchJournals(state, money),
    kioskDepositsOnce(state, index, money),
    tillSalesOnce(state, index, money),
    noUnexplainedTransfer(state, index, money),
    moneyInEqualsCredited(state, index, money),
    debitsEqualCredits(state, index),
    walletsEqualHistory(state, index, money),
    auditChain(state),
    noSequenceGaps(state),
  ];
}

type Money = (minor: number | bigint) => string;

/** What the devices kept is in the kiosk's journal: in committed deposits, or as strays. */
function devicesMatchJournals(state: EndState, money: Money): CheckResult {
  const problems: string[] = [];
  let kept = 0;
  for (const kiosk of state.kiosks) {
    kept += kiosk.devicesKeptMinor;
    const committed = kiosk.deposits.reduce((sum, deposit) => sum + deposit.totalMinor, 0);
    if (kiosk.devicesKeptMinor !== committed + kiosk.strayMinor) {
      problems.push(
        `kiosk ${kiosk.name}: its devices kept ${money(kiosk.devicesKeptMinor)} but its journal holds ${money(committed)} in ${kiosk.deposits.length} deposits + ${money(kiosk.strayMinor)} stray (${money(kiosk.devicesKeptMinor - committed - kiosk.strayMinor)} unaccounted)`,
      );
    }
    for (const deposit of kiosk.deposits) {
      if (deposit.itemsMinor !== deposit.totalMinor)
        problems.push(
          `deposit ${deposit.depositId} (kiosk ${kiosk.name} #${deposit.sequence}): its items add up to ${money(deposit.itemsMinor)}, its total says ${money(deposit.totalMinor)}`,
        );
    }
  }
  return result(
    checkNames.devicesMatchJournals,
    `${state.kiosks.length} kiosks, devices kept ${money(kept)}`,
    problems,
  );
}

/** Each deposit a kiosk committed is one transfer, of its total, out of that kiosk's bag. */
function kioskDepositsOnce(state: EndState, index: Index, money: Money): CheckResult {
  const problems: string[] = [];
  let deposits = 0;
  for (const kiosk of state.kiosks) {
    const bag = index.accountOf.get(`kioskBag:${kiosk.terminalId}`);
    for (const deposit of kiosk.deposits) {
      deposits += 1;
      const name = `deposit ${deposit.depositId} (kiosk ${kiosk.name} #${deposit.sequence}, ${money(deposit.totalMinor)})`;
      const transfers = index.transfersById.get(deposit.depositId) ?? [];
      // A deposit of nothing (a shopper who put no money in) moves no money.
      const expected = deposit.totalMinor === 0 ? 0 : 1;
      if (transfers.length !== expected) {
        problems.push(
          transfers.length === 0
            ? `${name} was never credited`
            : `${name} was transferred ${transfers.length} times`,
        );
        continue;
      }
      const transfer = transfers[0];
      if (transfer === undefined) continue;
      if (transfer.amountMinor !== deposit.totalMinor)
        problems.push(`${name} was credited ${money(transfer.amountMinor)}`);
      if (transfer.debitAccountId !== bag)
        problems.push(`${name} was not taken from kiosk ${kiosk.name}'s bag`);
    }
  }
  return result(checkNames.kioskDepositsOnce, `${deposits} deposits committed by kiosks`, problems);
}

/** A committed sale is one transfer out of its store's drawer; a sale voided after commit is reversed once. */
function tillSalesOnce(state: EndState, index: Index, money: Money): CheckResult {
  const problems: string[] = [];
  let sales = 0;
  for (const till of state.tills) {
    const drawer = index.accountOf.get(`storeDrawer:${till.storeId}`);
    for (const sale of till.sales) {
      sales += 1;
      const name = `till sale ${sale.authorizationId} (${till.name}, ${money(sale.amountMinor)}, ${sale.outcome})`;
      const transfers = index.transfersById.get(sale.authorizationId) ?? [];
      const reversals = index.reversalsOf.get(sale.authorizationId) ?? [];
      if (sale.outcome === 'unknown') {
        problems.push(`${name}: the till never learned what became of it`);
        continue;
      }
      const credited = sale.outcome === 'committed' || (sale.outcome === 'voided' && transfers.length > 0);
      if (!credited) {
        if (transfers.length > 0) problems.push(`${name} moved money the till does not believe in`);
        if (sale.outcome === 'voided' && sale.committedBeforeVoid)
          problems.push(`${name}: committed then voided, but no transfer exists`);
        continue;
      }
      if (transfers.length !== 1) {
        problems.push(`${name} was transferred ${transfers.length} times`);
        continue;
      }
      const transfer = transfers[0];
      if (transfer === undefined) continue;
      if (transfer.amountMinor !== sale.amountMinor)
        problems.push(`${name} was credited ${money(transfer.amountMinor)}`);
      if (transfer.debitAccountId !== drawer) problems.push(`${name} was not taken from its store's drawer`);
      const wantReversals = sale.outcome === 'voided' ? 1 : 0;
      if (reversals.length !== wantReversals)
        problems.push(`${name} has ${reversals.length} reversals, expected ${wantReversals}`);
      for (const reversal of reversals)
        if (reversal.amountMinor !== transfer.amountMinor)
          problems.push(`${name}: reversal ${reversal.id} undoes ${money(reversal.amountMinor)}`);
    }
  }
  return result(checkNames.tillSalesOnce, `${sales} till sales`, problems);
}

/**
 * Every transfer id is unique, and every transfer that took money out of a kiosk bag or a store drawer is
 * a deposit a kiosk committed or a sale a till made: money credited under a second id shows here.
 */
function noUnexplainedTransfer(state: EndState, index: Index, money: Money): CheckResult {
  const problems: string[] = [];
  for (const [id, transfers] of index.transfersById) {
    if (transfers.length > 1) problems.push(`transfer ${id} appears ${transfers.length} times`);
  }
  const known = new Set<string>();
  for (const kiosk of state.kiosks) for (const deposit of kiosk.deposits) known.add(deposit.depositId);
  for (const till of state.tills) for (const sale of till.sales) known.add(sale.authorizationId);
  for (const transfer of state.ledger.transfers) {
    const debit = index.accounts.get(transfer.debitAccountId);
    if (debit === undefined) {
      problems.push(
        `transfer ${transfer.id} debits account ${transfer.debitAccountId}, which does not exist`,
      );
      continue;
    }
    if (debit.kind !== 'kioskBag' && debit.kind !== 'storeDrawer') continue;
    if (!known.has(transfer.id))
      problems.push(
        `transfer ${transfer.id} took ${money(transfer.amountMinor)} out of ${debit.kind} ${debit.ownerRef}, but no kiosk or till recorded that money`,
      );
  }
  return result(
    checkNames.noUnexplainedTransfer,
    `${state.ledger.transfers.length} transfers, ${index.transfersById.size} distinct ids`,
    problems,
  );
}

function balanceOf(account: LedgerAccount): number {
  return account.creditsPostedMinor - account.debitsPostedMinor;
}

/** Posted totals recomputed from the transfers, per account. */
function recomputed(state: EndState): Map<string, { debits: bigint; credits: bigint }> {
  const sums = new Map<string, { debits: bigint; credits: bigint }>();
  const of = (id: string) => {
    let entry = sums.get(id);
    if (entry === undefined) {
      entry = { debits: 0n, credits: 0n };
      sums.set(id, entry);
    }
    return entry;
  };
  for (const transfer of state.ledger.transfers) {
    of(transfer.debitAccountId).debits += BigInt(transfer.amountMinor);
    of(transfer.creditAccountId).credits += BigInt(transfer.amountMinor);
  }
  return sums;
}

/**
 * The sum, to the cent: what the devices kept plus what tills believe they took (net of voids)
 * equals the money in wallets plus the money in suspense. Money a kiosk took with no deposit open is a
 * stray deposit bound for suspense, so it is in that sum; a bare stray left in a journal (money no deposit
 * holds) is money missing from it, and named. Wallet balances are as stored; suspense, which keeps no
 * running balance, is summed from its transfers.
 */
function moneyInEqualsCredited(state: EndState, index: Index, money: Money): CheckResult {
  const devices = state.kiosks.reduce((sum, kiosk) => sum + kiosk.devicesKeptMinor, 0);
  const strayDeposits = state.kiosks.reduce((sum, kiosk) => sum + kiosk.strayDepositsMinor, 0);
  let tills = 0;
  for (const till of state.tills)
    for (const sale of till.sales) if (sale.outcome === 'committed') tills += sale.amountMinor;
  const sums = recomputed(state);
  let wallets = 0;
  let suspense = 0;
  for (const account of index.accounts.values()) {
    if (account.kind === 'wallet') wallets += balanceOf(account);
    if (account.kind === 'suspense') {
      const sum = sums.get(account.id) ?? { debits: 0n, credits: 0n };
      suspense += Number(sum.credits - sum.debits);
    }
  }
  const accepted = devices + tills;
  const accounted = wallets + suspense;
  const problems: string[] = [];
  if (accepted !== accounted) {
    problems.push(
      `accepted ${money(accepted)} but wallets + suspense hold ${money(accounted)}: ${money(accepted - accounted)} ${accepted > accounted ? 'missing' : 'too much'}`,
    );
  }
  for (const kiosk of state.kiosks) {
    if (kiosk.strayMinor !== 0)
      problems.push(
        `kiosk ${kiosk.name}: ${money(kiosk.strayMinor)} journaled with no deposit, so never synced to suspense`,
      );
  }
  return result(
    checkNames.moneyInEqualsCredited,
    `devices ${money(devices)} + tills ${money(tills)} = wallets ${money(wallets)} + suspense ${money(suspense)} (of which late coins ${money(strayDeposits)})`,
    problems,
  );
}

/**
 * Over every account, posted debits equal posted credits: running balances as stored (wallets), the rest
 * summed from their transfers, as `npm run ledger:verify` does.
 */
function debitsEqualCredits(state: EndState, index: Index): CheckResult {
  const sums = recomputed(state);
  let debits = 0n;
  let credits = 0n;
  for (const account of index.accounts.values()) {
    if (account.keepsRunningBalance) {
      debits += BigInt(account.debitsPostedMinor);
      credits += BigInt(account.creditsPostedMinor);
    } else {
      const sum = sums.get(account.id) ?? { debits: 0n, credits: 0n };
      debits += sum.debits;
      credits += sum.credits;
    }
  }
  const problems =
    debits === credits
      ? []
      : [`posted debits ${debits} != posted credits ${credits} (difference ${debits - credits})`];
  return result(checkNames.debitsEqualCredits, `debits ${debits} = credits ${credits} minor units`, problems);
}

/** Each wallet's stored balance is exactly the sum of its transfers, and none is below zero. */
function walletsEqualHistory(state: EndState, index: Index, money: Money): CheckResult {
  const sums = recomputed(state);
  const historyOf = new Map<string, string[]>();
  for (const transfer of state.ledger.transfers) {
    for (const id of [transfer.debitAccountId, transfer.creditAccountId])
      historyOf.set(id, [...(historyOf.get(id) ?? []), transfer.id]);
  }
  const problems: string[] = [];
  let wallets = 0;
  for (const account of index.accounts.values()) {
    if (!account.keepsRunningBalance) continue;
    wallets += 1;
    const sum = sums.get(account.id) ?? { debits: 0n, credits: 0n };
    const stored = BigInt(account.creditsPostedMinor) - BigInt(account.debitsPostedMinor);
    const history = sum.credits - sum.debits;
    const deposits = historyOf.get(account.id) ?? [];
    if (
      BigInt(account.debitsPostedMinor) !== sum.debits ||
      BigInt(account.creditsPostedMinor) !== sum.credits
    ) {
      problems.push(
        `${account.kind} ${account.id} (shopper ${account.ownerRef}) holds ${money(stored)} but its ${deposits.length} transfers add up to ${money(history)} (off by ${money(stored - history)}); its deposits: ${deposits.join(', ')}`,
      );
    }
    if (stored < 0n) problems.push(`${account.kind} ${account.id} is below zero: ${money(stored)}`);
  }
  return result(checkNames.walletsEqualHistory, `${wallets} wallets`, problems);
}

function auditChain(state: EndState): CheckResult {
  const { audit } = state.server;
  const problems = audit.breaks.map(
    (broken) => `audit chain ${broken.chain} breaks at entry ${broken.seq}: ${broken.problem}`,
  );
  if (!audit.ok && problems.length === 0) problems.push('the audit verifier reported a failure');
  return result(checkNames.auditChain, `${audit.chains} chains, ${audit.entries} entries`, problems);
}

/**
 * Once the network healed, every kiosk synced everything: its journal's sequences run 1..n without a hole,
 * the server holds exactly those deposits with the same totals, the outbox is empty, nothing sits in
 * quarantine, and no sequence-gap alert is left open.
 */
function noSequenceGaps(state: EndState): CheckResult {
  const problems: string[] = [];
  const serverByTerminal = new Map<string, EndState['server']['kioskDeposits']>();
  for (const deposit of state.server.kioskDeposits)
    serverByTerminal.set(deposit.terminalId, [...(serverByTerminal.get(deposit.terminalId) ?? []), deposit]);
  let synced = 0;
  for (const kiosk of state.kiosks) {
    kiosk.deposits.forEach((deposit, position) => {
      if (deposit.sequence !== position + 1)
        problems.push(
          `kiosk ${kiosk.name}: its journal has deposit ${deposit.depositId} at sequence ${deposit.sequence}, expected ${position + 1}`,
        );
    });
    const onServer = new Map(
      (serverByTerminal.get(kiosk.terminalId) ?? []).map((deposit) => [deposit.sequence, deposit]),
    );
    synced += onServer.size;
    for (const deposit of kiosk.deposits) {
      const stored = onServer.get(deposit.sequence);
      onServer.delete(deposit.sequence);
      if (stored === undefined)
        problems.push(
          `deposit ${deposit.depositId} (kiosk ${kiosk.name} #${deposit.sequence}) never reached the server: a gap`,
        );
      else if (stored.depositId !== deposit.depositId || stored.totalMinor !== deposit.totalMinor)
        problems.push(
          `deposit ${deposit.depositId} (kiosk ${kiosk.name} #${deposit.sequence}): the server holds ${stored.depositId} of ${stored.totalMinor} at that sequence`,
        );
    }
    for (const extra of onServer.values())
      problems.push(
        `the server holds deposit ${extra.depositId} (kiosk ${kiosk.name} #${extra.sequence}) that the kiosk's journal does not`,
      );
    if (kiosk.outboxDepth !== 0)
      problems.push(
        `kiosk ${kiosk.name}: ${kiosk.outboxDepth} deposits still unsynced after the network healed`,
      );
    if (kiosk.quarantined !== 0)
      problems.push(`kiosk ${kiosk.name}: ${kiosk.quarantined} deposits quarantined`);
  }
  for (const alert of state.server.openSequenceGapAlerts)
    problems.push(`sequence-gap alert still open for terminal ${alert.terminalId}: ${alert.detail}`);
  return result(
    checkNames.noSequenceGaps,
    `${synced} kiosk deposits on the server, ${state.server.openSequenceGapAlerts.length} open gap alerts`,
    problems,
  );
}

/** The final table: one row per check, then each problem under its check (at most `problemsShownMax`). */
export const problemsShownMax = 20;

export function formatChecks(checks: readonly CheckResult[]): string {
  const width = Math.max(...checks.map((check) => check.name.length));
  const lines: string[] = [];
  for (const check of checks) {
    lines.push(`${check.ok ? 'PASS' : 'FAIL'}  ${check.name.padEnd(width)}  ${check.summary}`);
    for (const problem of check.problems.slice(0, problemsShownMax)) lines.push(`        - ${problem}`);
    if (check.problems.length > problemsShownMax)
      lines.push(`        ... and ${check.problems.length - problemsShownMax} more`);
  }
  return lines.join('\n');
}
