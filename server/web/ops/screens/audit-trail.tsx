import type { AuditEntrySchema, OldDeviceFate } from '@cashin/shared';
import { AuditTrailSchema, CurrencyCodeSchema, alertKinds, oldDeviceFates } from '@cashin/shared';
import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi } from '../../common/api.js';
import { Button, Field, Form, TableScroll } from '../../common/components.js';
import { actorText } from '../actor.js';
import { ListBody } from '../list-body.js';
import type { OpsContext, OpsWords } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { signedMoney } from '../signed-money.js';

type Entry = z.output<typeof AuditEntrySchema>;
type AlertKind = (typeof alertKinds)[number];

function isAlertKind(value: unknown): value is AlertKind {
  return (alertKinds as readonly unknown[]).includes(value);
}

function isOldDeviceFate(value: unknown): value is OldDeviceFate {
  return (oldDeviceFates as readonly unknown[]).includes(value);
}

/** The entry facts the console names in the reader's language; any other is shown under its own name. */
const namedFields = [
  'name',
  'username',
  'timeZone',
  'storeId',
  'clerkId',
  'collectionId',
  'bagLabel',
  'expectedMinor',
  'countedMinor',
  'overShortMinor',
  'awaitingSyncMinor',
  'unsyncedReportedMinor',
  'unsyncedReportedAtMs',
  'heldIn',
  'amountMinor',
  'depositMaxMinor',
  'dailyMaxMinor',
  'alertId',
  'alertKind',
  'note',
  'keyFingerprint',
  'oldDevice',
  'wasCurrent',
  'softwareVersion',
  'depositId',
  'reversalId',
  'transferId',
  'claimId',
  'assignmentId',
  'undoId',
  'reason',
  'code',
  'issued',
  'revoked',
  'source',
  'status',
  'tier',
  'fromTier',
  'walletAccountId',
  'childId',
  'expiresAtMs',
  'currency',
  'reference',
  'covered',
  'bankDepositId',
  'collections',
  'creditedMinor',
  'differenceMinor',
  'bankReference',
  'remittanceId',
  'owedBeforeMinor',
  'owedAfterMinor',
  'requestId',
  'setAside',
  'requeued',
  'synced',
  'setAsideAgain',
  'errorCode',
] as const;
type NamedField = (typeof namedFields)[number];

function isNamedField(key: string): key is NamedField {
  return (namedFields as readonly string[]).includes(key);
}

/** Amounts that are a difference, over (+) or short (−). */
const signedAmountFields = new Set(['overShortMinor', 'differenceMinor']);

/**
 * One entry's facts as label and value, `by` aside (it has its own column): amounts in the entry's
 * currency, times as dates, an alert's kind by name. The currency is left out where an amount shows it.
 */
function factsOf(words: OpsWords, data: Entry['data']): { label: string; value: string }[] {
  const currency = CurrencyCodeSchema.safeParse(data['currency']);
  const showsMoney =
    currency.success &&
    Object.entries(data).some(([key, value]) => key.endsWith('Minor') && typeof value === 'number');
  const facts: { label: string; value: string }[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (key === 'by' || (key === 'currency' && showsMoney)) continue;
    const label = isNamedField(key) ? words.t(`audit.field.${key}`) : key;
    let text: string;
    if (value === null) text = '—';
    else if (typeof value === 'number' && key.endsWith('Minor') && currency.success)
      // A difference (over or short) signed as the other screens sign it: "+$0.25", "−$0.20".
      text =
        signedAmountFields.has(key) || value < 0
          ? signedMoney(words, value, currency.data)
          : words.money(value, currency.data);
    else if (typeof value === 'number' && key.endsWith('AtMs')) text = words.dateTime(value);
    else if (key === 'alertKind' && isAlertKind(value)) text = words.t(`alert.${value}`);
    else if (key === 'heldIn' && (value === 'source' || value === 'suspense'))
      text = words.t(`audit.heldIn.${value}`);
    else if (key === 'oldDevice' && isOldDeviceFate(value)) text = words.t(`audit.oldDevice.${value}`);
    else if (typeof value === 'boolean') text = words.t(value ? 'audit.yes' : 'audit.no');
    else text = String(value);
    facts.push({ label, value: text });
  }
  return facts;
}

/**
 * The audit trail, newest first: every act that is not a deposit, or, for a subject id, that subject's
 * whole chain. A subject in the list is a button that shows its chain.
 */
export function AuditTrail(context: OpsContext) {
  const { words, token } = context;
  const [subject, setSubject] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async (forSubject: string | null, before: string | null): Promise<void> => {
    context.clear();
    setBusy(true);
    const query = new URLSearchParams();
    if (forSubject !== null) query.set('subject', forSubject);
    if (before !== null) query.set('before', before);
    const search = query.toString();
    const result = await callApi(
      search === '' ? opsPaths.auditEntries : `${opsPaths.auditEntries}?${search}`,
      AuditTrailSchema,
      { token },
    );
    setBusy(false);
    if (!result.ok) return context.fail(result);
    setShown(forSubject);
    const page = result.value.entries;
    setEntries((earlier) => (before === null ? page : [...(earlier ?? []), ...page]));
    setNext(result.value.next);
  };
  const show = (forSubject: string): void => {
    setSubject(forSubject);
    void load(forSubject.trim() === '' ? null : forSubject.trim(), null);
  };
  useEffect(() => void load(null, null), []);

  return (
    <div class="panel" data-testid="audit-trail">
      <h2>{words.t('audit.trail')}</h2>
      <p class="lead">{words.t('audit.trailBody')}</p>
      <Form onSubmit={() => show(subject)} label={words.t('audit.trail')}>
        <Field
          id="audit-subject"
          label={words.t('audit.subject')}
          hint={words.t('audit.subjectHint')}
          value={subject}
          onInput={setSubject}
          maxLength={64}
        />
        <div class="actions">
          <Button kind="primary" type="submit" busy={busy}>
            {words.t('audit.show')}
          </Button>
          {shown !== null && <Button onClick={() => show('')}>{words.t('audit.showAll')}</Button>}
        </div>
      </Form>
      <p class="muted" role="status">
        {shown === null ? words.t('audit.showingAll') : words.t('audit.showingSubject', { subject: shown })}
      </p>
      <p id="audit-subject-link-hint" class="visually-hidden">
        {words.t('audit.subjectLinkHint')}
      </p>
      <ListBody items={entries} words={words}>
        {(list) => (
          <TableScroll label={words.t('audit.trail')} stack>
            <table>
              <thead>
                <tr>
                  <th scope="col">{words.t('audit.what')}</th>
                  <th scope="col">{words.t('audit.when')}</th>
                  <th scope="col">{words.t('audit.subjectColumn')}</th>
                  <th scope="col">{words.t('audit.facts')}</th>
                  <th scope="col">{words.t('audit.by')}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((entry) => {
                  const by = entry.data['by'];
                  return (
                    <tr key={`${entry.subject}.${entry.seq}`}>
                      <th scope="row">{words.t(`audit.kind.${entry.kind}`)}</th>
                      <td>{words.dateTime(entry.atMs)}</td>
                      <td>
                        {entry.subject === shown ? (
                          `${entry.subject} #${entry.seq}`
                        ) : (
                          <Button
                            kind="link"
                            describedBy="audit-subject-link-hint"
                            onClick={() => show(entry.subject)}
                          >
                            {`${entry.subject} #${entry.seq}`}
                          </Button>
                        )}
                      </td>
                      <td>
                        <dl class="entry-facts">
                          {factsOf(words, entry.data).map((fact) => (
                            <div key={fact.label}>
                              <dt>{fact.label}</dt>
                              <dd>{fact.value}</dd>
                            </div>
                          ))}
                        </dl>
                      </td>
                      <td>{typeof by === 'string' ? actorText(words, by) : '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableScroll>
        )}
      </ListBody>
      {next !== null && (
        <div class="actions">
          <Button busy={busy} onClick={() => void load(shown, next)}>
            {words.t('audit.older')}
          </Button>
        </div>
      )}
    </div>
  );
}
