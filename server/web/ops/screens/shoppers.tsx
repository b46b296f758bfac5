import type { KycTier, OpsShopper } from '@cashin/shared';
import { OpsShopperSchema, PhoneE164Schema, ShopperSchema } from '@cashin/shared';
import { useRef, useState } from 'preact/hooks';
import { callApi } from '../../common/api.js';
import { Button, Field, Form, TableScroll } from '../../common/components.js';
import { ActionPanel } from '../action-panel.js';
import { ListSection } from '../list-section.js';
import type { OpsContext } from '../ops-context.js';
import type { OpsMessageKey } from '../messages.js';
import { opsPaths } from '../ops-paths.js';
import { signedMoney } from '../signed-money.js';

const kindKeys: Record<string, OpsMessageKey> = {
  deposit: 'shoppers.kind.deposit',
  claim: 'shoppers.kind.claim',
  reversal: 'shoppers.kind.reversal',
  adjustment: 'shoppers.kind.adjustment',
};

const statusClass: Record<OpsShopper['history'][number]['status'], string> = {
  credited: 'status-good',
  pending: 'status-warn',
  inReview: 'status-warn',
  reversed: 'status-neutral',
};

/** "+1 (555) 010-0001" -> "+15550100001": how a number is read out on a call, as the server keeps it. */
function phoneAsKept(typed: string): string {
  return typed.replace(/[\s().-]/g, '');
}

/**
 * A shopper on a support call ("my deposit did not arrive", "I showed my ID"): found by phone number, the
 * wallet exactly as their app shows it, each entry with the id a reversal names, and their identity tier,
 * which an operator can change (their limits follow at once; the change is audited).
 */
export function ShoppersSection(context: OpsContext) {
  const { words, token } = context;
  const [typed, setTyped] = useState('');
  const [found, setFound] = useState<OpsShopper | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [changingTier, setChangingTier] = useState(false);
  // Only the newest search's answer is shown: an older one arriving late must not put another shopper
  // under the number just typed.
  const searches = useRef(0);

  const load = async (phone: string): Promise<boolean> => {
    const search = (searches.current += 1);
    const result = await callApi(opsPaths.shopperByPhone(phone), OpsShopperSchema, { token });
    if (search !== searches.current) return false;
    if (result.ok) {
      setFound(result.value);
      return true;
    }
    setFound(null);
    if (result.code === 'NOT_FOUND') setMissing(phone);
    else context.fail(result);
    return false;
  };

  const submit = async (): Promise<void> => {
    context.clear();
    setMissing(null);
    setFound(null);
    setChangingTier(false);
    const phone = phoneAsKept(typed);
    if (!PhoneE164Schema.safeParse(phone).success) {
      setFound(null);
      return context.fail({ code: 'PHONE_INVALID', details: {} });
    }
    setBusy(true);
    await load(phone);
    setBusy(false);
  };

  const changeTier = async (shopper: OpsShopper['shopper'], tier: KycTier): Promise<void> => {
    context.clear();
    setBusy(true);
    const result = await callApi(opsPaths.shopperKyc(shopper.id), ShopperSchema, {
      method: 'PUT',
      body: { tier },
      token,
    });
    setBusy(false);
    if (!result.ok) return context.fail(result);
    setChangingTier(false);
    await load(shopper.phone);
    context.notify(
      words.t('shoppers.tierChanged', {
        name: shopper.name ?? shopper.phone,
        tier: words.t(`shoppers.tier.${tier}`),
      }),
    );
  };

  const shopper = found?.shopper;
  const nextTier: KycTier = shopper?.kycTier === 1 ? 0 : 1;
  return (
    <ListSection title={words.t('shoppers.title')} screen="shoppers" words={words}>
      <Form onSubmit={() => void submit()}>
        <Field
          id="shopper-phone"
          label={words.t('shoppers.phone')}
          hint={words.t('shoppers.phoneHint')}
          type="tel"
          inputMode="tel"
          value={typed}
          onInput={setTyped}
          required
        />
        <Button kind="primary" type="submit" busy={busy} disabled={!typed.trim()}>
          {words.t('shoppers.find')}
        </Button>
      </Form>
      {missing !== null && (
        <p class="panel" role="status">
          {words.t('shoppers.none', { phone: missing })}
        </p>
      )}
      {found && shopper && (
        <>
          <dl class="panel facts" data-testid="shopper-facts">
            <dt>{words.t('shoppers.name')}</dt>
            <dd>{shopper.name ?? words.t('shoppers.unnamed')}</dd>
            <dt>{words.t('shoppers.phone')}</dt>
            <dd>{shopper.phone}</dd>
            <dt>{words.t('shoppers.signedUp')}</dt>
            <dd>{words.dateTime(found.signedUpAtMs)}</dd>
            <dt>{words.t('shoppers.language')}</dt>
            <dd>{words.t(`shoppers.language.${shopper.language}`)}</dd>
            <dt>{words.t('shoppers.code')}</dt>
            <dd class="mono">{found.depositCodeMasked}</dd>
            <dt>{words.t('shoppers.tier')}</dt>
            <dd data-testid="shopper-tier">{words.t(`shoppers.tier.${shopper.kycTier}`)}</dd>
            <dt>{words.t('shoppers.balance')}</dt>
            <dd data-testid="shopper-balance">{words.money(found.balanceMinor, shopper.currency)}</dd>
            <dt>{words.t('shoppers.remaining')}</dt>
            <dd data-testid="shopper-remaining">
              {words.t(
                found.allowance.remainingDeposits === 1 ? 'shoppers.remainingOne' : 'shoppers.remainingMany',
                {
                  amount: words.money(found.allowance.remainingMinor, shopper.currency),
                  count: found.allowance.remainingDeposits,
                },
              )}
            </dd>
          </dl>
          {changingTier ? (
            <ActionPanel
              title={words.t('shoppers.tierAsk', {
                name: shopper.name ?? shopper.phone,
                tier: words.t(`shoppers.tier.${nextTier}`),
              })}
              focusId="tier-confirm-note"
              submitLabel={words.t('shoppers.tierConfirm')}
              ready={!busy}
              busy={busy}
              cancelLabel={words.t('cancel')}
              onSubmit={() => void changeTier(shopper, nextTier)}
              onCancel={() => setChangingTier(false)}
            >
              <p id="tier-confirm-note" tabIndex={-1}>
                {words.t('shoppers.tierNote')}
              </p>
            </ActionPanel>
          ) : (
            <div class="actions">
              <Button onClick={() => setChangingTier(true)}>
                {words.t(nextTier === 1 ? 'shoppers.raiseTier' : 'shoppers.lowerTier')}
              </Button>
            </div>
          )}
          <h2 id="shopper-history">{words.t('shoppers.history')}</h2>
          {found.history.length === 0 ? (
            <p class="muted">{words.t('shoppers.empty')}</p>
          ) : (
            <TableScroll label={words.t('shoppers.history')} stack>
              <table aria-labelledby="shopper-history">
                <thead>
                  <tr>
                    <th scope="col">{words.t('shoppers.when')}</th>
                    <th scope="col">{words.t('shoppers.what')}</th>
                    <th scope="col" class="number">
                      {words.t('shoppers.amount')}
                    </th>
                    <th scope="col">{words.t('shoppers.status')}</th>
                    <th scope="col">{words.t('shoppers.entryId')}</th>
                  </tr>
                </thead>
                <tbody>
                  {found.history.map((entry) => (
                    <tr key={entry.transferId}>
                      <td>{words.dateTime(entry.createdAtMs)}</td>
                      <td>
                        {words.t(kindKeys[entry.kind] ?? 'shoppers.kind.other')}
                        {entry.codeMasked !== null && ` (${entry.codeMasked})`}
                      </td>
                      <td class="number">{signedMoney(words, entry.amountMinor, entry.currency)}</td>
                      <td>
                        <span class={`status ${statusClass[entry.status]}`}>
                          {words.t(`shoppers.status.${entry.status}`)}
                        </span>
                      </td>
                      <td class="mono">{entry.transferId}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
        </>
      )}
    </ListSection>
  );
}
