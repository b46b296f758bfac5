import { StoreRemittanceListSchema, StoreRemittanceSchema, parseMajorAmount, uuidv7 } from '@cashin/shared';
import { useRef, useState } from 'preact/hooks';
import { callApi } from '../../common/api.js';
import { Button, Field, Form, MoneyDisplay, TableScroll } from '../../common/components.js';
import { checkedFieldStatus } from '../../common/field-status.js';
import { actorText } from '../actor.js';
import { ListBody } from '../list-body.js';
import type { OpsContext } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { useList } from '../use-list.js';

/**
 * What a store owes the network over all its days (till deposits less voids, less what it paid), the
 * form that records a payment as the bank statement shows it, and the store's latest payments. A payment
 * moves the amount from the store's drawer account to the bank.
 */
export function RemittanceSection(props: OpsContext & { storeId: string }) {
  const { words, token, storeId } = props;
  const [list, refresh] = useList(props, opsPaths.storeRemittances(storeId), StoreRemittanceListSchema);
  const [paid, setPaid] = useState('');
  const [reference, setReference] = useState('');
  const [touched, setTouched] = useState(false);
  // Chosen once per payment and kept until it is answered, so a retry records it once.
  const remittanceId = useRef(uuidv7());
  if (list === null) return <p aria-busy="true">{words.t('loading')}</p>;
  const amount = parseMajorAmount(paid, list.currency);
  const tooMuch = amount.ok && amount.amountMinor > list.owedMinor;
  const amountProblem = tooMuch
    ? words.t('remit.tooMuch', { owed: words.money(list.owedMinor, list.currency) })
    : words.t('remit.invalid');

  const submit = async (): Promise<void> => {
    props.clear();
    setTouched(true);
    if (!amount.ok || tooMuch || !reference.trim()) return;
    const result = await callApi(opsPaths.storeRemittances(storeId), StoreRemittanceSchema, {
      body: {
        remittanceId: remittanceId.current,
        amountMinor: amount.amountMinor,
        currency: list.currency,
        reference: reference.trim(),
      },
      token,
    });
    if (!result.ok) return props.fail(result);
    remittanceId.current = uuidv7();
    setPaid('');
    setReference('');
    setTouched(false);
    props.notify(
      words.t('remit.recorded', {
        amount: words.money(result.value.amountMinor, result.value.currency),
        owed: words.money(result.value.owedAfterMinor, result.value.currency),
      }),
    );
    refresh();
  };

  return (
    <section aria-labelledby="remit-title">
      <h2 id="remit-title">{words.t('remit.title')}</h2>
      <div class="panel">
        <MoneyDisplay
          size="medium"
          label={words.t('remit.owedNow')}
          text={words.money(list.owedMinor, list.currency)}
          testId="remit-owed"
        />
      </div>
      <Form onSubmit={() => void submit()}>
        <div class="columns">
          <Field
            id="remit-amount"
            label={words.t('remit.amount')}
            inputMode="decimal"
            value={paid}
            onInput={setPaid}
            status={checkedFieldStatus(touched, amount.ok && !tooMuch, amountProblem)}
            required
          />
          <Field
            id="remit-reference"
            label={words.t('remit.reference')}
            value={reference}
            onInput={setReference}
            maxLength={80}
            required
          />
        </div>
        <Button kind="primary" type="submit" disabled={list.owedMinor <= 0}>
          {words.t('remit.submit')}
        </Button>
      </Form>
      <h2>{words.t('remit.recent')}</h2>
      <ListBody items={list.remittances} words={words}>
        {(remittances) => (
          <TableScroll label={words.t('remit.recent')} stack>
            <table>
              <thead>
                <tr>
                  <th scope="col">{words.t('remit.referenceColumn')}</th>
                  <th scope="col">{words.t('remit.at')}</th>
                  <th scope="col" class="number">
                    {words.t('remit.amount')}
                  </th>
                  <th scope="col" class="number">
                    {words.t('remit.owedAfter')}
                  </th>
                  <th scope="col">{words.t('remit.by')}</th>
                </tr>
              </thead>
              <tbody>
                {remittances.map((remittance) => (
                  <tr key={remittance.remittanceId}>
                    <th scope="row">{remittance.reference}</th>
                    <td>{words.dateTime(remittance.recordedAtMs)}</td>
                    <td class="number">{words.money(remittance.amountMinor, remittance.currency)}</td>
                    <td class="number">{words.money(remittance.owedAfterMinor, remittance.currency)}</td>
                    <td>{actorText(words, remittance.recordedBy)}</td>
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
