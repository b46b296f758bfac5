import type { CurrencyCode } from '@cashin/shared';
import {
  ClerkSchema,
  OpsStoreSchema,
  StoreListSchema,
  clerkPinPattern,
  storeAddressLengthMax,
} from '@cashin/shared';
import { useState } from 'preact/hooks';
import { callApi } from '../../common/api.js';
import { Button, Field, Form, TableScroll } from '../../common/components.js';
import { CurrencySelect } from '../currency-select.js';
import { ListSection } from '../list-section.js';
import type { OpsContext } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { useList } from '../use-list.js';
import { ClerkPinField, StoreClerks } from './store-clerks.js';

export function StoresSection(context: OpsContext) {
  const { words, token } = context;
  const [list, refresh] = useList(context, opsPaths.stores, StoreListSchema);
  const [name, setName] = useState('');
  const [currency, setCurrency] = useState<CurrencyCode>('USD');
  const [timeZone, setTimeZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [address, setAddress] = useState('');
  const [clerkStore, setClerkStore] = useState('');
  const [clerkName, setClerkName] = useState('');
  const [pin, setPin] = useState('');
  // Whose clerks are listed: the one chosen, else the first store.
  const [clerksStoreId, setClerksStoreId] = useState<string | null>(null);
  const [clerksReloadCount, setClerksReloadCount] = useState(0);
  const clerksStore = list?.stores.find((store) => store.id === clerksStoreId) ?? list?.stores[0] ?? null;
  const refreshAll = (): void => {
    refresh();
    setClerksReloadCount((n) => n + 1);
  };
  const createStore = async (): Promise<void> => {
    context.clear();
    const result = await callApi(opsPaths.stores, OpsStoreSchema, {
      body: {
        name: name.trim(),
        currency,
        timeZone: timeZone.trim(),
        ...(address.trim() ? { address: address.trim() } : {}),
      },
      token,
    });
    if (!result.ok) return context.fail(result);
    context.notify(words.t('stores.created', { name: result.value.name, id: result.value.id }));
    setName('');
    setAddress('');
    refresh();
  };
  const createClerk = async (): Promise<void> => {
    context.clear();
    const result = await callApi(opsPaths.clerks(clerkStore.trim()), ClerkSchema, {
      body: { name: clerkName.trim(), pin },
      token,
    });
    setPin('');
    if (!result.ok) return context.fail(result);
    context.notify(words.t('clerks.created', { name: result.value.name, id: result.value.id }));
    setClerkName('');
    // The list turns to the store the clerk joined, where the new clerk now shows (the stores are read
    // again too, in case that store was added elsewhere since they were).
    setClerksStoreId(result.value.storeId);
    refreshAll();
  };
  return (
    <ListSection title={words.t('stores.title')} screen="stores" words={words} onRefresh={refreshAll}>
      {list !== null && list.stores.length > 0 && (
        <TableScroll label={words.t('stores.title')} stack>
          <table>
            <thead>
              <tr>
                <th scope="col">{words.t('stores.id')}</th>
                <th scope="col">{words.t('stores.name')}</th>
                <th scope="col">{words.t('stores.currency')}</th>
                <th scope="col">{words.t('stores.timeZone')}</th>
                <th scope="col">{words.t('stores.address')}</th>
                <th scope="col" class="number">
                  {words.t('stores.owed')}
                </th>
              </tr>
            </thead>
            <tbody>
              {list.stores.map((store) => (
                <tr key={store.id}>
                  <th scope="row">{store.id}</th>
                  <td>{store.name}</td>
                  <td>{store.currency}</td>
                  <td>{store.timeZone}</td>
                  <td>{store.address ?? ''}</td>
                  <td class="number">{words.money(store.owedMinor, store.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {clerksStore !== null && (
        <div class="panel">
          <h2>{words.t('clerks.listTitle', { store: clerksStore.name, id: clerksStore.id })}</h2>
          <div class="field">
            <label for="clerks-of-store">{words.t('clerks.ofStore')}</label>
            <select
              id="clerks-of-store"
              value={clerksStore.id}
              onChange={(event) => setClerksStoreId(event.currentTarget.value)}
            >
              {list?.stores.map((store) => (
                <option key={store.id} value={store.id}>
                  {words.t('clerks.storeOption', { store: store.name, id: store.id })}
                </option>
              ))}
            </select>
          </div>
          <StoreClerks context={context} store={clerksStore} reloadCount={clerksReloadCount} />
        </div>
      )}
      <div class="columns">
        <div class="panel">
          <h2>{words.t('stores.new')}</h2>
          <Form onSubmit={() => void createStore()} label={words.t('stores.new')}>
            <Field
              id="store-name"
              label={words.t('stores.name')}
              value={name}
              onInput={setName}
              maxLength={80}
              required
            />
            <CurrencySelect
              id="store-currency"
              label={words.t('stores.currency')}
              value={currency}
              onChange={setCurrency}
            />
            <Field
              id="store-zone"
              label={words.t('stores.timeZone')}
              hint={words.t('stores.timeZoneHint')}
              value={timeZone}
              onInput={setTimeZone}
              required
            />
            <Field
              id="store-address"
              label={words.t('stores.address')}
              hint={words.t('stores.addressHint')}
              value={address}
              onInput={setAddress}
              maxLength={storeAddressLengthMax}
            />
            <Button kind="primary" type="submit" disabled={!name.trim()}>
              {words.t('stores.create')}
            </Button>
          </Form>
        </div>
        <div class="panel">
          <h2>{words.t('clerks.title')}</h2>
          <Form onSubmit={() => void createClerk()} label={words.t('clerks.title')}>
            <Field
              id="clerk-store"
              label={words.t('clerks.store')}
              value={clerkStore}
              onInput={setClerkStore}
              required
            />
            <Field
              id="clerk-name"
              label={words.t('clerks.name')}
              value={clerkName}
              onInput={setClerkName}
              maxLength={80}
              required
            />
            <ClerkPinField id="clerk-pin" label={words.t('clerks.pin')} value={pin} onInput={setPin} />
            <Button
              kind="primary"
              type="submit"
              disabled={!clerkStore.trim() || !clerkName.trim() || !clerkPinPattern.test(pin)}
            >
              {words.t('clerks.create')}
            </Button>
          </Form>
        </div>
      </div>
    </ListSection>
  );
}
