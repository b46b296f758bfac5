import type { BankDeposit, CollectionSchema } from '@cashin/shared';
import { BankDepositListSchema, BankDepositSchema, parseMajorAmount, uuidv7 } from '@cashin/shared';
import { useRef, useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi } from '../../common/api.js';
import { Button, Field, Form, MoneyDisplay, TableScroll } from '../../common/components.js';
import { checkedFieldStatus } from '../../common/field-status.js';
import { actorText } from '../actor.js';
import { ListBody } from '../list-body.js';
import type { OpsContext } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { signedMoney } from '../signed-money.js';
import { useList } from '../use-list.js';

type Collection = z.output<typeof CollectionSchema>;

/**
 * The last step of the cash's trip: ops ticks the collections in transit that the bank credited together
 * (in the list above) and records what the bank credited and its reference. The cash moves from cash in
 * transit to the bank; a difference goes to over/short. Recent bank deposits are listed below. A refused
 * request refreshes both lists, so a bag another operator banked meanwhile shows as banked.
 */
export function BankDepositSection(
  props: OpsContext & { selected: readonly Collection[]; onRecorded: () => void; onRefused: () => void },
) {
  const { words, token, selected } = props;
  const [list, refresh] = useList(props, opsPaths.bankDeposits, BankDepositListSchema);
  const [credited, setCredited] = useState('');
  const [reference, setReference] = useState('');
  const [touched, setTouched] = useState(false);
  const [recorded, setRecorded] = useState<BankDeposit | null>(null);
  // Chosen once per bank deposit and kept until it is answered, so a retry records it once.
  const bankDepositId = useRef(uuidv7());
  const currencies = [...new Set(selected.map((collection) => collection.currency))];
  const currency = currencies.length === 1 ? currencies[0] : undefined;
  const amount = parseMajorAmount(credited, currency ?? 'USD');
  const countedMinor = selected.reduce((sum, collection) => sum + collection.countedMinor, 0);

  const submit = async (): Promise<void> => {
    props.clear();
    setTouched(true);
    if (currency === undefined || !amount.ok || !reference.trim()) return;
    const result = await callApi(opsPaths.bankDeposits, BankDepositSchema, {
      body: {
        bankDepositId: bankDepositId.current,
        collectionIds: selected.map((collection) => collection.collectionId),
        creditedMinor: amount.amountMinor,
        currency,
        bankReference: reference.trim(),
      },
      token,
    });
    if (!result.ok) {
      // Another operator may have banked a ticked bag meanwhile: the lists show it, and it drops out.
      props.onRefused();
      refresh();
      return props.fail(result);
    }
    setRecorded(result.value);
    bankDepositId.current = uuidv7();
    setCredited('');
    setReference('');
    setTouched(false);
    refresh();
    props.onRecorded();
  };

  return (
    <section aria-labelledby="bank-title">
      <h2 id="bank-title">{words.t('bank.title')}</h2>
      <p class="field-hint">{words.t('bank.hint')}</p>
      <p role="status" data-testid="bank-selection">
        {selected.length === 0
          ? words.t('bank.none')
          : currency === undefined
            ? words.t('bank.mixed')
            : words.t('bank.selected', {
                count: selected.length,
                amount: words.money(countedMinor, currency),
              })}
      </p>
      {currency !== undefined && (
        <Form onSubmit={() => void submit()}>
          <Field
            id="bank-credited"
            label={words.t('bank.credited')}
            inputMode="decimal"
            value={credited}
            onInput={setCredited}
            status={checkedFieldStatus(touched, amount.ok, words.t('bank.invalid'))}
            required
          />
          <Field
            id="bank-reference"
            label={words.t('bank.reference')}
            value={reference}
            onInput={setReference}
            maxLength={80}
            required
          />
          {amount.ok && (
            // Before it is booked, what the typed credit would put to over/short: a slip of a digit shows.
            <p class="field-hint" role="status" data-testid="bank-preview">
              {amount.amountMinor === countedMinor
                ? words.t('bank.previewBalanced')
                : words.t(amount.amountMinor > countedMinor ? 'bank.previewOver' : 'bank.previewShort', {
                    amount: words.money(Math.abs(amount.amountMinor - countedMinor), currency),
                  })}
            </p>
          )}
          <Button kind="primary" type="submit">
            {words.t('bank.submit')}
          </Button>
        </Form>
      )}
      {recorded && (
        <div class="panel" role="status">
          <MoneyDisplay
            size="medium"
            label={words.t('bank.counted')}
            text={words.money(recorded.countedMinor, recorded.currency)}
            testId="bank-counted"
          />
          <MoneyDisplay
            size="medium"
            label={words.t('bank.credited')}
            text={words.money(recorded.creditedMinor, recorded.currency)}
            testId="bank-credited-result"
          />
          {recorded.differenceMinor === 0 ? (
            <p class="status status-good">{words.t('bank.balanced')}</p>
          ) : (
            <MoneyDisplay
              size="medium"
              testId="bank-difference"
              label={words.t(recorded.differenceMinor > 0 ? 'bank.over' : 'bank.short')}
              text={words.money(Math.abs(recorded.differenceMinor), recorded.currency)}
            />
          )}
        </div>
      )}
      <h2>{words.t('bank.recent')}</h2>
      <ListBody items={list?.bankDeposits ?? null} words={words}>
        {(deposits) => (
          <TableScroll label={words.t('bank.recent')} stack>
            <table>
              <thead>
                <tr>
                  <th scope="col">{words.t('bank.referenceColumn')}</th>
                  <th scope="col">{words.t('bank.at')}</th>
                  <th scope="col" class="number">
                    {words.t('bank.collections')}
                  </th>
                  <th scope="col" class="number">
                    {words.t('bank.counted')}
                  </th>
                  <th scope="col" class="number">
                    {words.t('bank.credited')}
                  </th>
                  <th scope="col" class="number">
                    {words.t('bank.difference')}
                  </th>
                  <th scope="col">{words.t('bank.by')}</th>
                </tr>
              </thead>
              <tbody>
                {deposits.map((deposit) => (
                  <tr key={deposit.bankDepositId}>
                    <th scope="row">{deposit.bankReference}</th>
                    <td>{words.dateTime(deposit.recordedAtMs)}</td>
                    <td class="number">{deposit.collectionIds.length}</td>
                    <td class="number">{words.money(deposit.countedMinor, deposit.currency)}</td>
                    <td class="number">{words.money(deposit.creditedMinor, deposit.currency)}</td>
                    <td class="number">
                      {deposit.differenceMinor === 0 ? (
                        signedMoney(words, deposit.differenceMinor, deposit.currency)
                      ) : (
                        <span class="status status-warn">
                          {signedMoney(words, deposit.differenceMinor, deposit.currency)}
                        </span>
                      )}
                    </td>
                    <td>{actorText(words, deposit.recordedBy)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </ListBody>
    </section>
  );
}
