import type { KeyRotation, OldDeviceFate, OpsTerminalKey } from '@cashin/shared';
import { KeyRotationSchema, TerminalKeyListSchema, oldDeviceFates } from '@cashin/shared';
import { useEffect, useState } from 'preact/hooks';
import { callApi } from '../../common/api.js';
import { Button, Form, TableScroll } from '../../common/components.js';
import { ActionPanel } from '../action-panel.js';
import { actorText } from '../actor.js';
import { EnrollmentTokenPanel } from '../enrollment-token.js';
import { ListBody } from '../list-body.js';
import type { OpsContext, OpsWords } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { useList } from '../use-list.js';

const keyTone: Record<OpsTerminalKey['status'], string> = {
  current: 'status-good',
  handingOver: 'status-warn',
  retired: 'status-neutral',
  revoked: 'status-bad',
};

/** What a key may still do, in the reader's words. */
function keyDetail(words: OpsWords, key: OpsTerminalKey): string {
  switch (key.status) {
    case 'current':
      return words.t('keys.currentDetail');
    case 'handingOver':
      return words.t('keys.handingOverDetail', { time: words.dateTime(key.handOverUntilMs ?? 0) });
    case 'retired':
      return words.t('keys.retiredDetail', { time: words.dateTime(key.retiredAtMs ?? 0) });
    case 'revoked':
      return words.t('keys.revokedDetail', {
        time: words.dateTime(key.revokedAtMs ?? 0),
        by: actorText(words, key.revokedBy ?? ''),
      });
  }
}

/**
 * One kiosk's keys and what ops can do about them, opened from its row in the fleet. A rotation asks what
 * became of the old device, with no answer chosen for them: replaced (its key works until the new device
 * enrolls, then may still hand over what it holds) or lost or stolen (its key is refused at once, for
 * everything). A key that can still sign (current, or handing over after a replaced rotation) can be revoked
 * at once when its device turns out lost; that asks first, since it cannot be undone. The new device's
 * token is shown once, here.
 */
export function TerminalKeys({
  context,
  terminal,
  reloadCount,
  onChanged,
  onClose,
}: {
  context: OpsContext;
  terminal: { id: string; name: string };
  /** Goes up when the screen wants the keys read again (its Refresh). */
  reloadCount: number;
  /** The fleet's list should be read again (a kiosk left without a key shows so). */
  onChanged: () => void;
  onClose: () => void;
}) {
  const { words, token } = context;
  const [list, refresh] = useList(context, opsPaths.terminalKeys(terminal.id), TerminalKeyListSchema);
  const [oldDevice, setOldDevice] = useState<OldDeviceFate | null>(null);
  const [rotation, setRotation] = useState<KeyRotation | null>(null);
  const [revoking, setRevoking] = useState<OpsTerminalKey | null>(null);
  const [busy, setBusy] = useState(false);
  const title = words.t('keys.title', { name: terminal.name, id: terminal.id });
  // Opened on another kiosk, the panel starts afresh and takes focus, so its reader lands in it.
  useEffect(() => {
    setOldDevice(null);
    setRotation(null);
    setRevoking(null);
    document.getElementById('terminal-keys-title')?.focus();
  }, [terminal.id]);
  useEffect(() => {
    if (reloadCount > 0) refresh();
  }, [reloadCount]);

  const rotate = async (fate: OldDeviceFate): Promise<void> => {
    context.clear();
    setBusy(true);
    const result = await callApi(opsPaths.terminalKeyRotation(terminal.id), KeyRotationSchema, {
      body: { oldDevice: fate },
      token,
    });
    setBusy(false);
    if (!result.ok) return context.fail(result);
    setRotation(result.value);
    setOldDevice(null);
    context.notify(
      words.t(fate === 'lost' ? 'keys.rotatedLost' : 'keys.rotatedReplaced', { name: terminal.name }),
    );
    refresh();
    onChanged();
  };
  const revoke = async (key: OpsTerminalKey): Promise<void> => {
    context.clear();
    setBusy(true);
    const result = await callApi(opsPaths.terminalKeyRevocations(terminal.id), TerminalKeyListSchema, {
      body: { keyFingerprint: key.fingerprint },
      token,
    });
    setBusy(false);
    if (!result.ok) return context.fail(result);
    setRevoking(null);
    context.notify(words.t('keys.revokedNotice', { fingerprint: key.fingerprint, name: terminal.name }));
    refresh();
    onChanged();
  };

  return (
    <section class="panel terminal-keys" aria-labelledby="terminal-keys-title">
      <div class="section-head">
        <h2 id="terminal-keys-title" tabIndex={-1}>
          {title}
        </h2>
        <Button kind="link" onClick={onClose}>
          {words.t('keys.close')}
        </Button>
      </div>
      <ListBody items={list?.keys ?? null} words={words}>
        {(keys) => (
          <TableScroll label={words.t('keys.list', { name: terminal.name })} stack>
            <table>
              <thead>
                <tr>
                  <th scope="col">{words.t('keys.fingerprint')}</th>
                  <th scope="col">{words.t('keys.enrolled')}</th>
                  <th scope="col">{words.t('keys.status')}</th>
                  <th scope="col">{words.t('keys.action')}</th>
                </tr>
              </thead>
              <tbody>
                {keys.map((key) => (
                  <tr key={key.fingerprint} data-key={key.fingerprint}>
                    <th scope="row" class="fingerprint">
                      {key.fingerprint}
                    </th>
                    <td>{words.dateTime(key.enrolledAtMs)}</td>
                    <td>
                      <span class={`status ${keyTone[key.status]}`}>{words.t(`keys.${key.status}`)}</span>{' '}
                      {keyDetail(words, key)}
                    </td>
                    <td class="row-actions">
                      {(key.status === 'current' || key.status === 'handingOver') && (
                        <Button kind="danger" onClick={() => setRevoking(key)}>
                          {words.t('keys.revoke', { fingerprint: key.fingerprint })}
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
      {list !== null && !list.keys.some((key) => key.status === 'current') && (
        <p data-testid="terminal-no-key">{words.t('keys.noKey')}</p>
      )}
      {list !== null && list.enrollmentOpenUntilMs !== null && (
        <p data-testid="terminal-enrollment-open">
          {words.t('keys.enrollmentOpen', { time: words.dateTime(list.enrollmentOpenUntilMs) })}
        </p>
      )}
      {revoking !== null && (
        <ActionPanel
          title={words.t('keys.revokeTitle', { fingerprint: revoking.fingerprint, name: terminal.name })}
          focusId="key-revoke-body"
          submitLabel={words.t('keys.revokeSubmit')}
          submitKind="danger"
          ready
          busy={busy}
          cancelLabel={words.t('cancel')}
          onSubmit={() => void revoke(revoking)}
          onCancel={() => setRevoking(null)}
        >
          {/* Focus lands on what revoking does, so it is read before the button that does it. */}
          <p id="key-revoke-body" tabIndex={-1}>
            {words.t('keys.revokeBody')}
          </p>
        </ActionPanel>
      )}
      <h3>{words.t('keys.rotateTitle')}</h3>
      <p>{words.t('keys.rotateBody')}</p>
      <Form
        label={words.t('keys.rotateTitle')}
        onSubmit={() => {
          if (oldDevice !== null) void rotate(oldDevice);
        }}
      >
        <fieldset class="choices">
          <legend>{words.t('keys.oldDevice')}</legend>
          {oldDeviceFates.map((fate) => (
            <label key={fate} class="choice">
              {/* Named by the short answer, described by what it does, so both are read, apart. */}
              <input
                type="radio"
                name={`old-device-${terminal.id}`}
                value={fate}
                checked={oldDevice === fate}
                aria-labelledby={`old-device-${fate}-label`}
                aria-describedby={`old-device-${fate}-hint`}
                onChange={() => setOldDevice(fate)}
              />
              <span>
                <strong id={`old-device-${fate}-label`}>{words.t(`keys.oldDevice.${fate}`)}</strong>
                <span id={`old-device-${fate}-hint`} class="choice-hint">
                  {words.t(`keys.oldDevice.${fate}Hint`)}
                </span>
              </span>
            </label>
          ))}
        </fieldset>
        <Button
          kind={oldDevice === 'lost' ? 'danger' : 'primary'}
          type="submit"
          busy={busy}
          disabled={oldDevice === null}
        >
          {words.t(oldDevice === 'lost' ? 'keys.rotateLostSubmit' : 'keys.rotateSubmit')}
        </Button>
      </Form>
      {rotation !== null && (
        <>
          <p role="status" data-testid="rotation-result">
            {rotation.revokedKeyFingerprint === null
              ? words.t(rotation.oldDevice === 'lost' ? 'keys.resultLostNoKey' : 'keys.resultReplaced')
              : words.t('keys.resultLost', { fingerprint: rotation.revokedKeyFingerprint })}
          </p>
          <EnrollmentTokenPanel words={words} enrollment={rotation} />
        </>
      )}
    </section>
  );
}
