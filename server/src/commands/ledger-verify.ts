import { loadConfig } from '../config.js';
import { formatLedgerReport, verifyLedger } from '../ledger/verify-ledger.js';
import { openDb } from '../storage/open-db.js';

/** `npm run ledger:verify`: recompute every balance from the transfers; exit 1 on any discrepancy. */
const config = loadConfig(process.env);
const db = await openDb(config.storage);
try {
  const report = await verifyLedger(db);
  console.log(formatLedgerReport(report));
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await db.close();
}
