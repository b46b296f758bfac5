import type { SuspenseEntrySchema } from '@cashin/shared';
import { ClaimAssignmentSchema, SuspenseListSchema, reasonLengthMax, uuidv7 } from '@cashin/shared';
import { useRef, useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi } from '../../common/api.js';
import { Button, Field, TableScroll } from '../../common/components.js';
import { ActionPanel } from '../action-panel.js';
import { ListBody } from '../list-body.js';
import { ListSection } from '../list-section.js';
import type { OpsContext } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { useList } from '../use-list.js';

type SuspenseEntry = z.output<typeof SuspenseEntrySchema>;

/** The queue's path for a listing and a page of it (the `next` of the page before, or none). */
function suspensePath(showAll: boolean, after: string | undefined): string {
  const query = new URLSearchParams();
  if (showAll) query.set('status', 'all');
  if (after !== undefined) query.set('after', after);
  const text = query.toString();
  return text === '' ? opsPaths.suspense : `${opsPaths.suspense}?${text}`;
}

/**
 * Money received for codes nobody holds, with its claim: the money still held, oldest first (what has
 * waited longest leads), a page at a time, under the total held; or every claim, newest first. A shopper
 * redeems a claim with its code; one who lost it and proves the money is theirs gets it from an
 * operator, who credits the held claim to their wallet by phone number, with a reason.
 */
export function SuspenseSection(context: OpsContext) {
  const { words, token } = context;
  const [showAll, setShowAll] = useState(false);
  // The cursors of the pages walked through, so the page number is known; empty on the first page.
  const [cursors, setCursors] = useState<readonly string[]>([]);
  const [list, refresh] = useList(context, suspensePath(showAll, cursors.at(-1)), SuspenseListSchema);
  const [assigning, setAssigning] = useState<SuspenseEntry | null>(null);
  const [phone, setPhone] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  // One transfer id per claim, chosen before sending: a retry after a lost answer credits once.
  const assignmentIds = useRef(new Map<string, string>());
  const amountOf = (entry: SuspenseEntry): string => words.money(entry.amountMinor, entry.currency);
  const title = assigning === null ? '' : words.t('suspense.assignTitle', { amount: amountOf(assigning) });

  const assign = async (entry: SuspenseEntry): Promise<void> => {
    context.clear();
    const assignmentId = assignmentIds.current.get(entry.id) ?? uuidv7();
    assignmentIds.current.set(entry.id, assignmentId);
    setBusy(true);
    const result = await callApi(opsPaths.suspenseAssignment(entry.id), ClaimAssignmentSchema, {
      body: { assignmentId, phone: phone.trim(), reason: reason.trim() },
      token,
    });
    setBusy(false);
    if (!result.ok) return context.fail(result);
    context.notify(
      words.t(result.value.status === 'inReview' ? 'suspense.assignedInReview' : 'suspense.assigned', {
        amount: amountOf(entry),
        phone: phone.trim(),
      }),
    );
    setAssigning(null);
    setPhone('');
    setReason('');
    refresh();
  };

  return (
    <ListSection title={words.t('suspense.title')} screen="suspense" words={words} onRefresh={refresh}>
      {list !== null && (
        <div data-testid="suspense-held">
          {list.held.length === 0 ? (
            <p>{words.t('suspense.nothingHeld')}</p>
          ) : (
            list.held.map((total) => (
              <p key={total.currency}>
                <strong>
                  {words.t('suspense.heldTotal', {
                    amount: words.money(total.totalMinor, total.currency),
                    count: total.count,
                  })}
                </strong>
              </p>
            ))
          )}
        </div>
      )}
      <div>
        <Button
          kind="link"
          onClick={() => {
            setShowAll(!showAll);
            setCursors([]);
          }}
        >
          {words.t(showAll ? 'suspense.showHeld' : 'suspense.showAll')}
        </Button>
      </div>
      <ListBody items={list?.entries ?? null} words={words}>
        {(entries) => (
          <TableScroll label={words.t('suspense.title')} stack>
            <table>
              <thead>
                <tr>
                  <th scope="col">{words.t('suspense.created')}</th>
                  <th scope="col" class="number">
                    {words.t('suspense.amount')}
                  </th>
                  <th scope="col">{words.t('suspense.reason')}</th>
                  <th scope="col">{words.t('suspense.claim')}</th>
                  <th scope="col">{words.t('suspense.status')}</th>
                  <th scope="col">{words.t('suspense.action')}</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr key={entry.id}>
                    <td>{words.dateTime(entry.createdAtMs)}</td>
                    <td class="number">{amountOf(entry)}</td>
                    <td>{words.t(`suspense.${entry.reason}`)}</td>
                    <td>{entry.claimCodeMasked ?? '—'}</td>
                    <td>{words.t(`suspense.${entry.status}`)}</td>
                    <td>
                      {entry.status === 'held' && (
                        <Button
                          onClick={() => {
                            context.clear();
                            setAssigning(entry);
                          }}
                        >
                          {words.t('suspense.assign', {
                            amount: amountOf(entry),
                            claim: entry.claimCodeMasked ?? entry.id,
                          })}
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </ListBody>
      {list !== null && (cursors.length > 0 || list.next !== null) && (
        <div class="actions">
          <span data-testid="suspense-page">{words.t('suspense.page', { page: cursors.length + 1 })}</span>
          {cursors.length > 0 && (
            <Button onClick={() => setCursors([])}>{words.t('suspense.firstPage')}</Button>
          )}
          {list.next !== null && (
            <Button onClick={() => setCursors([...cursors, list.next!])}>
              {words.t('suspense.nextPage')}
            </Button>
          )}
        </div>
      )}
      {assigning !== null && (
        <ActionPanel
          title={title}
          focusId="suspense-phone"
          submitLabel={words.t('suspense.assignSubmit')}
          ready={phone.trim() !== '' && reason.trim() !== ''}
          busy={busy}
          cancelLabel={words.t('cancel')}
          onSubmit={() => void assign(assigning)}
          onCancel={() => setAssigning(null)}
        >
          <Field
            id="suspense-phone"
            label={words.t('suspense.phone')}
            hint={words.t('suspense.phoneHint')}
            type="tel"
            inputMode="tel"
            value={phone}
            onInput={setPhone}
            maxLength={16}
            required
          />
          <Field
            id="suspense-reason"
            label={words.t('suspense.assignReason')}
            hint={words.t('suspense.assignReasonHint')}
            value={reason}
            onInput={setReason}
            maxLength={reasonLengthMax}
            required
          />
        </ActionPanel>
      )}
    </ListSection>
  );
}
