import type { ReviewItem } from '@cashin/shared';
import {
  CashReportFiledSchema,
  ReviewItemSchema,
  ReviewListSchema,
  ReversalResponseSchema,
  cashReportReferenceLengthMax,
  reasonLengthMax,
  reviewNoteLengthMax,
  uuidv7,
} from '@cashin/shared';
import { useRef, useState } from 'preact/hooks';
import { callApi } from '../../common/api.js';
import { Button, Field, TableScroll } from '../../common/components.js';
import { ActionPanel } from '../action-panel.js';
import { ListBody } from '../list-body.js';
import { ListSection } from '../list-section.js';
import type { OpsContext, OpsWords } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { useList } from '../use-list.js';

type Action = 'keep' | 'reverse' | 'report';

function shopperOf(item: ReviewItem): string {
  if (item.shopperId === null) return '—';
  return item.shopperName === null ? item.shopperId : `${item.shopperName} (${item.shopperId})`;
}

function whereOf(words: OpsWords, item: ReviewItem): string {
  switch (item.source.kind) {
    case 'kioskBag':
      return words.t('reviews.kiosk', { id: item.source.ownerId });
    case 'storeDrawer':
      return words.t('reviews.store', { id: item.source.ownerId });
    case 'suspense':
      return words.t('reviews.suspense');
  }
}

/**
 * The review queue, oldest first: deposits credited with their cash already taken but held for a person
 * (an overrun limit, a kiosk's lost coin events or crash), and shoppers' cash past the day's report
 * threshold. For each, an operator keeps it credited with a note, reverses it with a reason, or records
 * the filed cash report; the chosen action's form opens under the list and takes focus.
 */
export function ReviewsSection(context: OpsContext) {
  const { words, token } = context;
  const [list, refresh] = useList(context, opsPaths.reviews, ReviewListSchema);
  const [acting, setActing] = useState<{ item: ReviewItem; action: Action } | null>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  // One reversal id per deposit, chosen before sending: a retry after a lost answer reverses once.
  const reversalIds = useRef(new Map<string, string>());

  const amountOf = (item: ReviewItem): string => words.money(item.amountMinor, item.currency);
  const titleOf = ({ item, action }: { item: ReviewItem; action: Action }): string =>
    words.t(`reviews.${action}Title`, { amount: amountOf(item), shopper: shopperOf(item) });
  const open = (item: ReviewItem, action: Action): void => {
    context.clear();
    setActing({ item, action });
    setText('');
  };

  const submit = async (): Promise<void> => {
    if (acting === null || !text.trim()) return;
    context.clear();
    const { item, action } = acting;
    const input = text.trim();
    setBusy(true);
    let done: string | null = null;
    if (action === 'keep') {
      const result = await callApi(opsPaths.reviewClearance(item.depositId), ReviewItemSchema, {
        body: { note: input },
        token,
      });
      if (!result.ok) context.fail(result);
      else done = words.t('reviews.kept', { amount: amountOf(item), shopper: shopperOf(item) });
    } else if (action === 'reverse') {
      const id = reversalIds.current.get(item.depositId) ?? uuidv7();
      reversalIds.current.set(item.depositId, id);
      const result = await callApi(opsPaths.reversals, ReversalResponseSchema, {
        body: { id, depositId: item.depositId, reason: input },
        token,
      });
      if (!result.ok) context.fail(result);
      else done = words.t('reviews.reversed', { amount: amountOf(item), shopper: shopperOf(item) });
    } else {
      const result = await callApi(opsPaths.reviewCashReport(item.depositId), CashReportFiledSchema, {
        body: { reference: input },
        token,
      });
      if (!result.ok) context.fail(result);
      else
        done = words.t('reviews.reported', {
          reference: result.value.reference,
          count: result.value.depositIds.length,
        });
    }
    setBusy(false);
    if (done === null) return;
    context.notify(done);
    setActing(null);
    setText('');
    refresh();
  };

  return (
    <ListSection title={words.t('reviews.title')} screen="reviews" words={words} onRefresh={refresh}>
      <p class="lead">{words.t('reviews.body')}</p>
      <ListBody items={list?.deposits ?? null} words={words}>
        {(items) => (
          <TableScroll label={words.t('reviews.title')} stack>
            <table>
              <thead>
                <tr>
                  <th scope="col" class="number">
                    {words.t('reviews.amount')}
                  </th>
                  <th scope="col">{words.t('reviews.received')}</th>
                  <th scope="col">{words.t('reviews.shopper')}</th>
                  <th scope="col">{words.t('reviews.where')}</th>
                  <th scope="col">{words.t('reviews.why')}</th>
                  <th scope="col">{words.t('reviews.action')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <tr key={item.depositId}>
                    <th scope="row" class="number">
                      {amountOf(item)}
                    </th>
                    <td>{words.dateTime(item.createdAtMs)}</td>
                    <td>{shopperOf(item)}</td>
                    <td>{whereOf(words, item)}</td>
                    <td>
                      {item.reasons.map((reason) => words.t(`reviews.reason.${reason}`)).join(', ')}
                      {item.cashReport !== null && (
                        <>
                          {item.reasons.length > 0 && ' '}
                          <span class={`status ${item.cashReport === 'due' ? 'status-warn' : 'status-good'}`}>
                            {words.t(
                              item.cashReport === 'due' ? 'reviews.cashReportDue' : 'reviews.cashReportFiled',
                            )}
                          </span>
                        </>
                      )}
                    </td>
                    <td>
                      {item.status === 'inReview' && (
                        <>
                          <Button onClick={() => open(item, 'keep')}>
                            {words.t('reviews.keep', { amount: amountOf(item) })}
                          </Button>
                          <Button kind="danger" onClick={() => open(item, 'reverse')}>
                            {words.t('reviews.reverse', { amount: amountOf(item) })}
                          </Button>
                        </>
                      )}
                      {item.cashReport === 'due' && (
                        <Button onClick={() => open(item, 'report')}>
                          {words.t('reviews.report', { amount: amountOf(item), shopper: shopperOf(item) })}
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
      {acting !== null && (
        <ActionPanel
          title={titleOf(acting)}
          focusId="review-text"
          submitLabel={words.t(`reviews.${acting.action}Submit`)}
          submitKind={acting.action === 'reverse' ? 'danger' : 'primary'}
          ready={text.trim() !== ''}
          busy={busy}
          cancelLabel={words.t('cancel')}
          onSubmit={() => void submit()}
          onCancel={() => setActing(null)}
        >
          <Field
            id="review-text"
            label={words.t(`reviews.${acting.action}Field`)}
            hint={words.t(`reviews.${acting.action}Hint`)}
            value={text}
            onInput={setText}
            maxLength={
              acting.action === 'report'
                ? cashReportReferenceLengthMax
                : acting.action === 'keep'
                  ? reviewNoteLengthMax
                  : reasonLengthMax
            }
            required
          />
        </ActionPanel>
      )}
    </ListSection>
  );
}
