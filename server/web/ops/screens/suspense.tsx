import type { SuspenseAssignmentSchema, SuspenseEntrySchema } from '@cashin/shared';
import {
  ClaimAssignmentSchema,
  ClaimAssignmentUndoSchema,
  SuspenseListSchema,
  reasonLengthMax,
  uuidv7,
} from '@cashin/shared';
import { useRef, useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi } from '../../common/api.js';
import { Button, Field, TableScroll } from '../../common/components.js';
import { ActionPanel } from '../action-panel.js';
import { actorText } from '../actor.js';
import { ListBody } from '../list-body.js';
import { ListSection } from '../list-section.js';
import type { OpsContext, OpsWords } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { useList } from '../use-list.js';

type SuspenseEntry = z.output<typeof SuspenseEntrySchema>;
type SuspenseAssignment = z.output<typeof SuspenseAssignmentSchema>;

/**
 * The ops assignment a claimed entry is credited under now, which an operator may undo; none for money
 * still held, or for a claim the shopper redeemed with its code (theirs by proof).
 */
function standingAssignment(entry: SuspenseEntry): SuspenseAssignment | undefined {
  const last = entry.assignments.at(-1);
  return entry.status === 'claimed' && last !== undefined && last.undo === null ? last : undefined;
}

function shopperOf(assignment: SuspenseAssignment): string {
  return `${assignment.shopperName} (${assignment.shopperPhoneMasked})`;
}

/** Who a claim was credited to by ops and who took it back, oldest first, with their reasons. */
function AssignmentHistory({ entry, words }: { entry: SuspenseEntry; words: OpsWords }) {
  if (entry.assignments.length === 0) return null;
  return (
    <ul class="history" aria-label={words.t('suspense.history')}>
      {entry.assignments.map((assignment) => [
        <li key={assignment.assignmentId}>
          {words.t('suspense.assignedEvent', {
            shopper: shopperOf(assignment),
            by: actorText(words, assignment.by),
            time: words.dateTime(assignment.assignedAtMs),
            reason: assignment.reason,
          })}
        </li>,
        assignment.undo !== null && (
          <li key={assignment.undo.undoId}>
            {words.t('suspense.undoneEvent', {
              by: actorText(words, assignment.undo.by),
              time: words.dateTime(assignment.undo.atMs),
              reason: assignment.undo.reason,
            })}
          </li>
        ),
      ])}
    </ul>
  );
}

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
 * operator, who credits the held claim to their wallet by phone number, with a reason. A claim credited to
 * the wrong shopper is taken back, with a reason: the money returns to suspense and the claim is held
 * again, its history (who it was credited to, who took it back, why) beside it.
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
  const [undoing, setUndoing] = useState<{ entry: SuspenseEntry; assignment: SuspenseAssignment } | null>(
    null,
  );
  const [undoReason, setUndoReason] = useState('');
  const [undoSpent, setUndoSpent] = useState<string | null>(null);
  // One transfer id per claim, chosen before sending: a retry after a lost answer credits once. Dropped
  // once the credit is done, so a claim held again after an undo is credited under a new id.
  const assignmentIds = useRef(new Map<string, string>());
  // One compensating transfer id per assignment, likewise: a retry takes the money back once.
  const undoIds = useRef(new Map<string, string>());
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
    assignmentIds.current.delete(entry.id);
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

  const openUndo = (entry: SuspenseEntry, assignment: SuspenseAssignment): void => {
    context.clear();
    setAssigning(null);
    setUndoSpent(null);
    setUndoing({ entry, assignment });
  };

  const undo = async (entry: SuspenseEntry, assignment: SuspenseAssignment): Promise<void> => {
    context.clear();
    setUndoSpent(null);
    const undoId = undoIds.current.get(assignment.assignmentId) ?? uuidv7();
    undoIds.current.set(assignment.assignmentId, undoId);
    setBusy(true);
    const result = await callApi(opsPaths.suspenseAssignmentUndo(entry.id), ClaimAssignmentUndoSchema, {
      body: { undoId, assignmentId: assignment.assignmentId, reason: undoReason.trim() },
      token,
    });
    setBusy(false);
    if (!result.ok) {
      const balance = result.details['balanceMinor'];
      if (result.code === 'INSUFFICIENT_FUNDS' && typeof balance === 'number')
        setUndoSpent(
          words.t('suspense.undoSpent', {
            balance: words.money(balance, entry.currency),
            amount: amountOf(entry),
          }),
        );
      return context.fail(result);
    }
    context.notify(words.t('suspense.undone', { amount: amountOf(entry), shopper: shopperOf(assignment) }));
    setUndoing(null);
    setUndoReason('');
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
                  <th scope="col">{words.t('suspense.history')}</th>
                  <th scope="col">{words.t('suspense.action')}</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => {
                  const standing = standingAssignment(entry);
                  return (
                    <tr key={entry.id}>
                      <td>{words.dateTime(entry.createdAtMs)}</td>
                      <td class="number">{amountOf(entry)}</td>
                      <td>{words.t(`suspense.${entry.reason}`)}</td>
                      <td>{entry.claimCodeMasked ?? '—'}</td>
                      <td>{words.t(`suspense.${entry.status}`)}</td>
                      <td>
                        <AssignmentHistory entry={entry} words={words} />
                      </td>
                      <td>
                        {entry.status === 'held' && (
                          <Button
                            onClick={() => {
                              context.clear();
                              setUndoing(null);
                              setAssigning(entry);
                            }}
                          >
                            {words.t('suspense.assign', {
                              amount: amountOf(entry),
                              claim: entry.claimCodeMasked ?? entry.id,
                            })}
                          </Button>
                        )}
                        {standing !== undefined && (
                          <Button onClick={() => openUndo(entry, standing)}>
                            {words.t('suspense.undo', {
                              amount: amountOf(entry),
                              shopper: shopperOf(standing),
                            })}
                          </Button>
                        )}
                      </td>
                    </tr>
                  );
                })}
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
      {undoing !== null && (
        <ActionPanel
          title={words.t('suspense.undoTitle', {
            amount: amountOf(undoing.entry),
            shopper: shopperOf(undoing.assignment),
          })}
          focusId="suspense-undo-reason"
          submitLabel={words.t('suspense.undoSubmit')}
          submitKind="danger"
          ready={undoReason.trim() !== ''}
          busy={busy}
          cancelLabel={words.t('cancel')}
          onSubmit={() => void undo(undoing.entry, undoing.assignment)}
          onCancel={() => setUndoing(null)}
        >
          <Field
            id="suspense-undo-reason"
            label={words.t('suspense.undoReason')}
            hint={words.t('suspense.undoReasonHint')}
            value={undoReason}
            onInput={setUndoReason}
            maxLength={reasonLengthMax}
            required
          />
          {undoSpent !== null && <p class="field-status field-status-bad">{undoSpent}</p>}
        </ActionPanel>
      )}
    </ListSection>
  );
}
