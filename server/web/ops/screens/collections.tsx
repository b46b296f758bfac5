import type { CurrencyCode } from '@cashin/shared';
import { CollectionSchema, parseMajorAmount, uuidv7 } from '@cashin/shared';
import { useRef, useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi } from '../../common/api.js';
import { Button, Field, Form, MoneyDisplay } from '../../common/components.js';
import { checkedFieldStatus } from '../../common/field-status.js';
import { CurrencySelect } from '../currency-select.js';
import { ListSection } from '../list-section.js';
import type { OpsContext } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';

export function CollectionsSection(context: OpsContext) {
  const { words, token } = context;
  const [terminalId, setTerminalId] = useState('');
  const [counted, setCounted] = useState('');
  const [currency, setCurrency] = useState<CurrencyCode>('USD');
  const [bagLabel, setBagLabel] = useState('');
  const [touched, setTouched] = useState(false);
  const [collection, setCollection] = useState<z.output<typeof CollectionSchema> | null>(null);
  // Chosen once per bag and kept until it is answered, so a retry records the collection once.
  const collectionId = useRef(uuidv7());
  const amount = parseMajorAmount(counted, currency);
  const submit = async (): Promise<void> => {
    context.clear();
    setTouched(true);
    if (!amount.ok || !terminalId.trim()) return;
    const result = await callApi(opsPaths.collections, CollectionSchema, {
      body: {
        collectionId: collectionId.current,
        terminalId: terminalId.trim(),
        countedMinor: amount.amountMinor,
        currency,
        ...(bagLabel.trim() ? { bagLabel: bagLabel.trim() } : {}),
      },
      token,
    });
    if (!result.ok) return context.fail(result);
    setCollection(result.value);
    collectionId.current = uuidv7();
  };
  return (
    <ListSection title={words.t('collections.title')} screen="collections" words={words}>
      <Form onSubmit={() => void submit()}>
        <Field
          id="collection-terminal"
          label={words.t('collections.terminal')}
          value={terminalId}
          onInput={setTerminalId}
          required
        />
        <CurrencySelect
          id="collection-currency"
          label={words.t('collections.currency')}
          value={currency}
          onChange={setCurrency}
        />
        <Field
          id="collection-counted"
          label={words.t('collections.counted')}
          inputMode="decimal"
          value={counted}
          onInput={setCounted}
          status={checkedFieldStatus(touched, amount.ok, words.t('collections.invalid'))}
          required
        />
        <Field
          id="collection-bag"
          label={words.t('collections.bag')}
          value={bagLabel}
          onInput={setBagLabel}
          maxLength={40}
        />
        <Button kind="primary" type="submit">
          {words.t('collections.submit')}
        </Button>
      </Form>
      {collection && (
        <div class="panel" role="status">
          <MoneyDisplay
            size="medium"
            label={words.t('collections.expected')}
            text={words.money(collection.expectedMinor, collection.currency)}
            testId="collection-expected"
          />
          <MoneyDisplay
            size="medium"
            label={words.t('collections.countedResult')}
            text={words.money(collection.countedMinor, collection.currency)}
            testId="collection-counted"
          />
          {collection.overShortMinor === 0 ? (
            <p class="status status-good">{words.t('collections.balanced')}</p>
          ) : (
            <MoneyDisplay
              size="medium"
              testId="collection-over-short"
              label={words.t(collection.overShortMinor > 0 ? 'collections.over' : 'collections.short')}
              text={words.money(Math.abs(collection.overShortMinor), collection.currency)}
            />
          )}
        </div>
      )}
    </ListSection>
  );
}
