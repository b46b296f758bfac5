// The package's public surface: what issue 4 (tills, kiosk sync, ops) and the scripts build on.
export { buildApp, createLogger } from './app.js';
export type { AppDeps } from './app.js';
export { loadConfig } from './config.js';
export type { Config } from './config.js';
export type { Deps } from './deps.js';
export { openDb } from './storage/open-db.js';
export type { Db, Tx } from './storage/db.js';
export { creditDeposit } from './deposits/credit-deposit.js';
export type { CreditDepositInput, DepositReceipt } from './deposits/credit-deposit.js';
export { reverseDeposit } from './deposits/reverse-deposit.js';
export { lookupCode } from './codes/code-lookup.js';
export { createTransfers } from './ledger/ledger.js';
export { ensureAccount } from './ledger/accounts.js';
export { verifyLedger } from './ledger/verify-ledger.js';
export { verifyAudit } from './audit/audit-verify.js';
export { appendAudit } from './audit/audit-log.js';
export { roles } from './http/roles.js';
export type { Role, Principal } from './http/roles.js';
