import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createUuidV7Generator } from '@cashin/shared';

/**
 * The SQLite baseline: the rows one credited deposit writes (transfer, deposit record, audit entry, wallet
 * balance update), inserted straight through better-sqlite3 with no HTTP, one transaction per deposit
 * (autocommit, as a naive server would), WAL + synchronous=FULL. Prints one JSON line.
 */
const durationMs = Number(process.argv[2] ?? 5_000);
const walletsCount = 1_000;
const dir = mkdtempSync(join(tmpdir(), 'cashin-raw-'));
const db = new Database(join(dir, 'raw.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`
  CREATE TABLE wallets (id TEXT PRIMARY KEY, credits_posted INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE transfers (id TEXT PRIMARY KEY, debit TEXT NOT NULL, credit TEXT NOT NULL, amount_minor INTEGER NOT NULL, currency TEXT NOT NULL, code TEXT NOT NULL, created_at_ms INTEGER NOT NULL);
  CREATE TABLE deposits (transfer_id TEXT PRIMARY KEY, wallet TEXT NOT NULL, code_hash TEXT NOT NULL, amount_minor INTEGER NOT NULL, status TEXT NOT NULL, created_at_ms INTEGER NOT NULL);
  CREATE INDEX deposits_wallet_time ON deposits (wallet, created_at_ms);
  CREATE TABLE audit_log (chain INTEGER NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (chain, seq));
`);
const insertWallet = db.prepare('INSERT INTO wallets (id) VALUES (?)');
for (let n = 0; n < walletsCount; n += 1) insertWallet.run(`w${n}`);
const newId = createUuidV7Generator();
const insertTransfer = db.prepare('INSERT INTO transfers VALUES (?, ?, ?, ?, ?, ?, ?)');
const insertDeposit = db.prepare('INSERT INTO deposits VALUES (?, ?, ?, ?, ?, ?)');
const insertAudit = db.prepare('INSERT INTO audit_log VALUES (?, ?, ?, ?)');
const updateWallet = db.prepare('UPDATE wallets SET credits_posted = credits_posted + ? WHERE id = ?');
const deposit = db.transaction((id: string, wallet: string, seq: number, nowMs: number) => {
  insertTransfer.run(id, 'drawer', wallet, 1_000, 'USD', 'deposit', nowMs);
  insertDeposit.run(id, wallet, 'hash', 1_000, 'credited', nowMs);
  insertAudit.run(seq % 16, seq, '{"depositId":"x"}', 'h'.repeat(64));
  updateWallet.run(1_000, wallet);
});
const latenciesMs: number[] = [];
const cpuBefore = process.cpuUsage();
const startMs = performance.now();
let seq = 0;
while (performance.now() - startMs < durationMs) {
  const before = performance.now();
  seq += 1;
  deposit(newId(), `w${seq % walletsCount}`, seq, Date.now());
  latenciesMs.push(performance.now() - before);
}
const elapsedS = (performance.now() - startMs) / 1000;
const cpu = process.cpuUsage(cpuBefore);
latenciesMs.sort((a, b) => a - b);
const at = (q: number) =>
  latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(q * latenciesMs.length))] ?? 0;
db.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    perSecond: seq / elapsedS,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    cpuUsPerDeposit: (cpu.user + cpu.system) / seq,
  }),
);
