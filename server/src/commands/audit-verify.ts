import { verifyAudit } from '../audit/audit-verify.js';
import { loadConfig } from '../config.js';
import { openDb } from '../storage/open-db.js';

/** `npm run audit:verify`: walk every audit chain; print the first broken link of each; exit 1 if any. */
const config = loadConfig(process.env);
const db = await openDb(config.storage);
try {
  const report = await verifyAudit(db);
  console.log(`audit chains: ${report.chains}, entries: ${report.entries}`);
  for (const broken of report.breaks) {
    console.log(`BROKEN chain ${broken.chain} at entry ${broken.seq}: ${broken.problem}`);
  }
  console.log(report.ok ? 'audit log verified' : 'AUDIT VERIFICATION FAILED');
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await db.close();
}
