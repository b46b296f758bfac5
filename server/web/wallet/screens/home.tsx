import { codeTypes } from '@cashin/shared';
import { Button, MoneyDisplay, ScreenHeading } from '../../common/components.js';
import type { Wallet, WalletContext } from '../app.js';
import type { WalletMessageKey } from '../messages.js';

type Entry = Wallet['history'][number];

const kindKeys: Record<string, WalletMessageKey> = {
  deposit: 'kind.deposit',
  claim: 'kind.claim',
  reversal: 'kind.reversal',
  adjustment: 'kind.adjustment',
};

const statusClass: Record<Entry['status'], string> = {
  pending: 'status-warn',
  credited: 'status-good',
  reversed: 'status-bad',
  inReview: 'status-warn',
};

export function HistoryEntry({ entry, words }: { entry: Entry; words: WalletContext['words'] }) {
  // A deposit paid with a payment slip: its masked code keeps the slip's type prefix.
  const paidWithSlip =
    entry.kind === 'deposit' && entry.codeMasked?.startsWith(codeTypes.slip.prefix) === true;
  const kind = words.t(paidWithSlip ? 'kind.depositSlip' : (kindKeys[entry.kind] ?? 'kind.other'));
  const amount = words.money(Math.abs(entry.amountMinor), entry.currency);
  return (
    <li class={`entry entry-${entry.status}`} data-transfer-id={entry.transferId}>
      <div class="entry-main">
        <span class="entry-kind">{kind}</span>
        <span class={`entry-amount ${entry.amountMinor < 0 ? 'entry-out' : 'entry-in'}`}>
          {entry.amountMinor < 0 ? `− ${amount}` : `+ ${amount}`}
        </span>
      </div>
      <div class="entry-meta">
        <span class={`status ${statusClass[entry.status]}`}>{words.t(`status.${entry.status}`)}</span>
        <time dateTime={new Date(entry.createdAtMs).toISOString()}>{words.dateTime(entry.createdAtMs)}</time>
        {entry.codeMasked && <span>{words.t('history.code', { code: entry.codeMasked })}</span>}
      </div>
      {entry.status === 'inReview' && <p class="muted">{words.t('status.inReviewHint')}</p>}
      {entry.status === 'pending' && <p class="muted">{words.t('status.pendingHint')}</p>}
    </li>
  );
}

export function HomeScreen({ words, wallet, go, signOut }: WalletContext) {
  return (
    <section class="screen">
      <ScreenHeading text={words.t('home.title')} screen="home" />
      {wallet === null ? (
        <p aria-busy="true">{words.t('loading')}</p>
      ) : (
        <>
          <div class="panel">
            <MoneyDisplay
              label={words.t('home.balance')}
              text={words.money(wallet.balanceMinor, wallet.shopper.currency)}
              live
              testId="balance"
            />
            <p class="muted">
              {words.t('home.allowance', {
                amount: words.money(wallet.allowance.remainingMinor, wallet.shopper.currency),
                count: wallet.allowance.remainingDeposits,
              })}
            </p>
          </div>
          <div class="actions actions-stacked">
            <Button kind="primary" onClick={() => go('code')}>
              {words.t('home.showCode')}
            </Button>
            <Button onClick={() => go('slips')}>{words.t('home.slips')}</Button>
            <Button onClick={() => go('claim')}>{words.t('home.claim')}</Button>
            <Button onClick={() => go('receipt')}>{words.t('home.receipt')}</Button>
            <Button onClick={() => go('family')}>{words.t('home.family')}</Button>
            <Button onClick={() => go('locations')}>{words.t('home.locations')}</Button>
          </div>
          <h2 id="history-heading">{words.t('home.history')}</h2>
          {wallet.history.length === 0 ? (
            <p class="muted">{words.t('home.historyEmpty')}</p>
          ) : (
            <ul class="history" aria-labelledby="history-heading">
              {wallet.history.map((entry) => (
                <HistoryEntry key={entry.transferId} entry={entry} words={words} />
              ))}
            </ul>
          )}
        </>
      )}
      <Button kind="link" onClick={signOut}>
        {words.t('home.signOut')}
      </Button>
    </section>
  );
}
