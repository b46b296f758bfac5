import { AuditVerificationSchema, auditVerificationPath } from '@cashin/shared';
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi } from '../../common/api.js';
import { Banner, Button, TableScroll } from '../../common/components.js';
import { ListSection } from '../list-section.js';
import type { OpsContext } from '../ops-context.js';
import { AuditTrail } from './audit-trail.js';

type Verification = z.output<typeof AuditVerificationSchema>;

/**
 * The hash-chained audit log: who did what, newest first, and the chains' verification, run on the server
 * on demand.
 */
export function AuditSection(context: OpsContext) {
  const { words, token } = context;
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<Verification | null>(null);
  const run = async (): Promise<void> => {
    context.clear();
    setBusy(true);
    const result = await callApi(auditVerificationPath, AuditVerificationSchema, { token });
    setBusy(false);
    if (result.ok) setReport(result.value);
    else context.fail(result);
  };
  return (
    <ListSection title={words.t('audit.title')} screen="audit" words={words}>
      <AuditTrail {...context} />
      <h2>{words.t('audit.check')}</h2>
      <p class="lead">{words.t('audit.body')}</p>
      <div class="actions">
        <Button kind="primary" busy={busy} onClick={() => void run()}>
          {words.t('audit.run')}
        </Button>
      </div>
      {report && (
        <div class="panel" data-testid="audit-result">
          {report.ok ? (
            <Banner
              tone="success"
              text={words.t('audit.verified', { entries: report.entries, chains: report.chains })}
            />
          ) : (
            <>
              <Banner tone="error" text={words.t('audit.broken', { count: report.brokenChains })} />
              <TableScroll label={words.t('audit.title')} stack>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{words.t('audit.chain')}</th>
                      <th scope="col">{words.t('audit.seq')}</th>
                      <th scope="col">{words.t('audit.problem')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.breaks.map((broken) => (
                      <tr key={broken.chain}>
                        <th scope="row">{broken.chain}</th>
                        <td>{broken.seq}</td>
                        <td>{words.t(`audit.problem.${broken.problem}`)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
            </>
          )}
          <p class="muted">{words.t('audit.checkedAt', { time: words.dateTime(report.checkedAtMs) })}</p>
        </div>
      )}
    </ListSection>
  );
}
