import type { CurrencyCode, TerminalSummary } from '@cashin/shared';
import {
  CollectionListSchema,
  CollectionSchema,
  TerminalListSchema,
  parseMajorAmount,
  uuidv7,
} from '@cashin/shared';
import { useRef, useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi } from '../../common/api.js';
import { Banner, Button, Field, Form, MoneyDisplay, TableScroll } from '../../common/components.js';
import { checkedFieldStatus } from '../../common/field-status.js';
import { actorText } from '../actor.js';
import { CurrencySelect } from '../currency-select.js';
import { ListBody } from '../list-body.js';
import { ListSection } from '../list-section.js';
import type { OpsContext, OpsWords } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { useList } from '../use-list.js';
import { signedMoney } from '../signed-money.js';
import { BankDepositSection } from './bank-deposits.js';

type Collection = z.output<typeof CollectionSchema>;

/**
 * What the tech should know before recording a kiosk's bag, from what the kiosk last told the server:
 * deposits it reported but has not synced (their cash is in the bag; the server expects it as awaiting
 * sync, settled when they sync), and silence (deposits taken since are unknown to the server and would
 * show as over now and short once they sync). Empty when neither applies.
 */
function collectionWarnings(words: OpsWords, kiosk: TerminalSummary, currency: CurrencyCode): string[] {
  const warnings: string[] = [];
  if (kiosk.status === 'offline') {
    warnings.push(
      kiosk.lastHeartbeatAtMs === null
        ? words.t('collections.neverHeard', { kiosk: kiosk.id })
        : words.t('collections.offlineWarning', {
            kiosk: kiosk.id,
            when: words.dateTime(kiosk.lastHeartbeatAtMs),
          }),
    );
  }
  if ((kiosk.queueDepth > 0 || kiosk.unsyncedTotalMinor > 0) && kiosk.lastHeartbeatAtMs !== null) {
    warnings.push(
      words.t('collections.unsyncedWarning', {
        kiosk: kiosk.id,
        amount: words.money(kiosk.unsyncedTotalMinor, currency),
        count: kiosk.queueDepth,
        when: words.dateTime(kiosk.lastHeartbeatAtMs),
      }),
    );
  }
  if (kiosk.setAsideDeposits > 0) {
    warnings.push(
      kiosk.setAsideTotalMinor === null
        ? words.t('collections.setAsideWarningUnknown', { kiosk: kiosk.id, count: kiosk.setAsideDeposits })
        : words.t('collections.setAsideWarning', {
            kiosk: kiosk.id,
            count: kiosk.setAsideDeposits,
            amount: words.money(kiosk.setAsideTotalMinor, currency),
          }),
    );
  }
  return warnings;
}

/**
 * A tech records a counted bag; the recent collections below say what each came to, who counted it and
 * whether its cash reached the bank. Collections in transit can be ticked and banked together.
 */
export function CollectionsSection(context: OpsContext) {
  const { words, token } = context;
  const [inTransitOnly, setInTransitOnly] = useState(false);
  const [list, refresh] = useList(
    context,
    inTransitOnly ? opsPaths.collectionsInTransit : opsPaths.collections,
    CollectionListSchema,
  );
  // The fleet as last loaded, so the form can warn about the kiosk typed before anything is recorded.
  const [fleet, refreshFleet] = useList(context, opsPaths.terminals, TerminalListSchema);
  const [terminalId, setTerminalId] = useState('');
  const [counted, setCounted] = useState('');
  const [currency, setCurrency] = useState<CurrencyCode>('USD');
  const [bagLabel, setBagLabel] = useState('');
  const [touched, setTouched] = useState(false);
  const [collection, setCollection] = useState<Collection | null>(null);
  const [ticked, setTicked] = useState<ReadonlySet<string>>(new Set());
  const toggle = (collectionId: string): void =>
    setTicked((before) => {
      const after = new Set(before);
      if (!after.delete(collectionId)) after.add(collectionId);
      return after;
    });
  const selected = (list?.collections ?? []).filter(
    (listed) => listed.bankDepositId === null && ticked.has(listed.collectionId),
  );
  const listTitle = inTransitOnly ? 'collections.inTransitList' : 'collections.recent';
  // Chosen once per bag and kept until it is answered, so a retry records the collection once.
  const collectionId = useRef(uuidv7());
  const amount = parseMajorAmount(counted, currency);
  const kiosk = fleet?.terminals.find((listed) => listed.id === terminalId.trim());
  const warnings = kiosk === undefined ? [] : collectionWarnings(words, kiosk, currency);
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
    // The bag is recorded: the next one starts from an empty form under a new id. Keeping the kiosk,
    // amount and label would let one more press record the same bag a second time.
    collectionId.current = uuidv7();
    setTerminalId('');
    setCounted('');
    setBagLabel('');
    setTouched(false);
    refresh();
    refreshFleet();
  };
  return (
    <ListSection title={words.t('collections.title')} screen="collections" words={words} onRefresh={refresh}>
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
        {warnings.map((warning) => (
          <Banner key={warning} tone="notice" text={warning} />
        ))}
        <Button kind="primary" type="submit">
          {words.t(warnings.length > 0 ? 'collections.submitAnyway' : 'collections.submit')}
        </Button>
      </Form>
      {collection && (
        <div class="panel" role="status">
          <p data-testid="collection-recorded">
            {collection.bagLabel === null
              ? words.t('collections.recordedKiosk', { kiosk: collection.terminalId })
              : words.t('collections.recordedBag', {
                  kiosk: collection.terminalId,
                  bag: collection.bagLabel,
                })}
          </p>
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
          {collection.awaitingSyncMinor > 0 && (
            <p data-testid="collection-awaiting-sync">
              {words.t('collections.awaitingSyncNote', {
                amount: words.money(collection.awaitingSyncMinor, collection.currency),
              })}
            </p>
          )}
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
      <h2>{words.t(listTitle)}</h2>
      <div>
        <Button kind="link" onClick={() => setInTransitOnly(!inTransitOnly)}>
          {words.t(inTransitOnly ? 'collections.showRecent' : 'collections.showInTransit')}
        </Button>
      </div>
      <ListBody items={list?.collections ?? null} words={words}>
        {(collections) => (
          <TableScroll label={words.t(listTitle)} stack>
            <table>
              <thead>
                <tr>
                  <th scope="col">{words.t('collections.kiosk')}</th>
                  <th scope="col">{words.t('collections.at')}</th>
                  <th scope="col" class="number">
                    {words.t('collections.expected')}
                  </th>
                  <th scope="col" class="number">
                    {words.t('collections.countedResult')}
                  </th>
                  <th scope="col" class="number">
                    {words.t('collections.awaitingSync')}
                  </th>
                  <th scope="col" class="number">
                    {words.t('collections.overShort')}
                  </th>
                  <th scope="col">{words.t('collections.bagColumn')}</th>
                  <th scope="col">{words.t('collections.by')}</th>
                  <th scope="col">{words.t('collections.bank')}</th>
                </tr>
              </thead>
              <tbody>
                {collections.map((listed) => (
                  <tr key={listed.collectionId}>
                    <th scope="row">{listed.terminalId}</th>
                    <td>{words.dateTime(listed.collectedAtMs)}</td>
                    <td class="number">{words.money(listed.expectedMinor, listed.currency)}</td>
                    <td class="number">{words.money(listed.countedMinor, listed.currency)}</td>
                    <td class="number">
                      {listed.awaitingSyncMinor === 0
                        ? '—'
                        : words.money(listed.awaitingSyncMinor, listed.currency)}
                    </td>
                    <td class="number">
                      {listed.overShortMinor === 0 ? (
                        signedMoney(words, listed.overShortMinor, listed.currency)
                      ) : (
                        <span class="status status-warn">
                          {signedMoney(words, listed.overShortMinor, listed.currency)}
                        </span>
                      )}
                    </td>
                    <td>{listed.bagLabel ?? '—'}</td>
                    <td>{listed.collectedBy === null ? '—' : actorText(words, listed.collectedBy)}</td>
                    <td>
                      {listed.bankDepositId === null ? (
                        <label class="check">
                          <input
                            type="checkbox"
                            checked={ticked.has(listed.collectionId)}
                            onChange={() => toggle(listed.collectionId)}
                          />{' '}
                          {words.t('collections.inTransit')}
                          <span class="visually-hidden">
                            {' '}
                            {words.t('collections.select', {
                              kiosk: listed.terminalId,
                              when: words.dateTime(listed.collectedAtMs),
                            })}
                          </span>
                        </label>
                      ) : (
                        <span class="status status-good">{words.t('collections.banked')}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </ListBody>
      <BankDepositSection
        {...context}
        selected={selected}
        onRecorded={() => {
          setTicked(new Set());
          refresh();
        }}
        onRefused={refresh}
      />
    </ListSection>
  );
}
