import type { ComponentChildren } from 'preact';
import { Fragment } from 'preact';
import type { ServerKeyRollover } from '@cashin/shared';
import { ServerKeyRolloverSchema } from '@cashin/shared';
import { useEffect } from 'preact/hooks';
import type { OpsContext, OpsWords } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { useList } from '../use-list.js';

/**
 * How much of a key the sentences show; the whole key (43 base64url characters) is in its title, and in the
 * panel's "whole keys" list, which a keyboard reaches and whose text can be copied.
 */
const keyShownLength = 8;

/** Stands in a translated sentence for markup the catalogue cannot hold; no message contains it. */
const slotMarker = '\u{E000}';

/** A server key as people compare it at a glance: its start, with the whole key on hover. */
function ShortKey({ publicKey }: { publicKey: string }) {
  return <code title={publicKey}>{publicKey.slice(0, keyShownLength)}…</code>;
}

/** Keys one after another, apart, in the reader's list style (a comma in both languages). */
function KeyList({ keys }: { keys: readonly string[] }) {
  return (
    <>
      {keys.map((key, index) => (
        <Fragment key={key}>
          {index > 0 && ', '}
          <ShortKey publicKey={key} />
        </Fragment>
      ))}
    </>
  );
}

/** A translated sentence with its one markup placeholder filled: the words stay the catalogue's. */
function withSlot(text: string, slot: ComponentChildren): ComponentChildren {
  const [before, after = ''] = text.split(slotMarker);
  return (
    <>
      {before}
      {slot}
      {after}
    </>
  );
}

/** One kiosk that would stop believing answers: which, when it last beat, and what it lacks. */
function BehindKiosk({
  words,
  kiosk,
  listedKeys,
}: {
  words: OpsWords;
  kiosk: ServerKeyRollover['behind'][number];
  listedKeys: readonly string[];
}) {
  const held = kiosk.serverKeys;
  const missing = held === null ? [] : listedKeys.filter((key) => !held.includes(key));
  return (
    <li data-terminal={kiosk.id}>
      {words.t('serverKeys.kiosk', {
        name: kiosk.name,
        id: kiosk.id,
        time:
          kiosk.lastHeartbeatAtMs === null ? words.t('fleet.never') : words.dateTime(kiosk.lastHeartbeatAtMs),
      })}{' '}
      {held === null
        ? words.t('serverKeys.notSaid')
        : withSlot(words.t('serverKeys.missing', { keys: slotMarker }), <KeyList keys={missing} />)}
    </li>
  );
}

/**
 * Where a rollover of the server's answer-signing key stands (server/README.md, SERVER_TRUSTED_KEYS): the
 * key that signs, the others kiosks are told to believe, and whether every enrolled kiosk holds them all.
 * Switching the signing key before they do leaves the kiosks behind believing no answer until they are
 * enrolled again, so those are named, each with what it lacks.
 */
export function ServerKeys({ context, reloadCount }: { context: OpsContext; reloadCount: number }) {
  const { words } = context;
  const [rollover, refresh] = useList(context, opsPaths.serverKeys, ServerKeyRolloverSchema);
  useEffect(() => {
    if (reloadCount > 0) refresh();
  }, [reloadCount]);
  return (
    <section class="panel server-keys" aria-labelledby="server-keys-title" data-testid="server-keys">
      <h2 id="server-keys-title">{words.t('serverKeys.title')}</h2>
      {rollover === null ? (
        <p aria-busy="true">{words.t('loading')}</p>
      ) : (
        <>
          <RolloverState words={words} rollover={rollover} />
          <WholeKeys words={words} rollover={rollover} />
        </>
      )}
    </section>
  );
}

/** With no other key listed, one line; during a rollover, whether switching now would strand a kiosk. */
function RolloverState({ words, rollover }: { words: OpsWords; rollover: ServerKeyRollover }) {
  const { signingKey, trustedKeys, enrolledTerminals: total, behind } = rollover;
  const signing = <ShortKey publicKey={signingKey} />;
  if (trustedKeys.length === 0)
    return (
      <p data-testid="server-keys-signing">
        {withSlot(words.t('serverKeys.signingOnly', { key: slotMarker }), signing)}
      </p>
    );
  const verdict =
    behind.length > 0
      ? words.t(behind.length === 1 ? 'serverKeys.behindOne' : 'serverKeys.behindMany', {
          count: behind.length,
          total,
        })
      : words.t(
          total === 0
            ? 'serverKeys.noneEnrolled'
            : total === 1
              ? 'serverKeys.allHoldOne'
              : 'serverKeys.allHold',
          { total },
        );
  return (
    <>
      <p data-testid="server-keys-signing">
        {withSlot(words.t('serverKeys.signing', { key: slotMarker }), signing)}{' '}
        {withSlot(words.t('serverKeys.trusted', { keys: slotMarker }), <KeyList keys={trustedKeys} />)}
      </p>
      <p
        id="server-keys-verdict"
        class={`status server-keys-verdict ${behind.length > 0 ? 'status-warn' : 'status-good'}`}
        data-testid="server-keys-verdict"
      >
        {verdict}
      </p>
      {behind.length > 0 && (
        <ul class="server-keys-behind" aria-labelledby="server-keys-verdict">
          {behind.map((kiosk) => (
            <BehindKiosk
              key={kiosk.id}
              words={words}
              kiosk={kiosk}
              listedKeys={[signingKey, ...trustedKeys]}
            />
          ))}
        </ul>
      )}
    </>
  );
}

/**
 * Every listed key in full, each with its part, for the person who sets SERVER_SIGNING_KEY and
 * SERVER_TRUSTED_KEYS to compare with what they configured: closed until asked for.
 */
function WholeKeys({ words, rollover }: { words: OpsWords; rollover: ServerKeyRollover }) {
  return (
    <details class="server-keys-whole" data-testid="server-keys-whole">
      <summary>{words.t('serverKeys.wholeKeys')}</summary>
      <dl>
        <dt>{words.t('serverKeys.signingKey')}</dt>
        <dd>
          <code>{rollover.signingKey}</code>
        </dd>
        {rollover.trustedKeys.map((key) => (
          <Fragment key={key}>
            <dt>{words.t('serverKeys.trustedKey')}</dt>
            <dd>
              <code>{key}</code>
            </dd>
          </Fragment>
        ))}
      </dl>
    </details>
  );
}
