import type { Clerk } from '@cashin/shared';
import { ClerkListSchema, ClerkSchema, clerkPinPattern } from '@cashin/shared';
import { useEffect, useState } from 'preact/hooks';
import { callApi } from '../../common/api.js';
import type { FieldProps } from '../../common/components.js';
import { Button, Field, TableScroll } from '../../common/components.js';
import { ActionPanel } from '../action-panel.js';
import { ListBody } from '../list-body.js';
import type { OpsContext } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { useList } from '../use-list.js';

type Action = 'disable' | 'pin';

/** A PIN as the forms take it: digits only, at most the 8 that clerkPinPattern (shared) allows. */
const clerkPinLengthMax = 8;
const pinDigitsOnly = (value: string): string => value.replace(/\D/g, '').slice(0, clerkPinLengthMax);

/**
 * A clerk PIN field, the same wherever ops type one (a new clerk's, a new PIN and it again): hidden,
 * a numeric keypad on a phone, and only digits kept, at most clerkPinLengthMax.
 */
export function ClerkPinField(
  props: Pick<FieldProps, 'id' | 'label' | 'value' | 'status' | 'autoComplete'> & {
    onInput: (pin: string) => void;
  },
) {
  return (
    <Field
      {...props}
      type="password"
      inputMode="numeric"
      maxLength={clerkPinLengthMax}
      onInput={(value) => props.onInput(pinDigitsOnly(value))}
      required
    />
  );
}

/**
 * One store's clerks: who is disabled and who is locked out by wrong PINs, with ops' two remedies. Disabling
 * signs the clerk out of every till at once, so it asks first; enabling undoes it and asks nothing. A new PIN
 * is typed twice, since nobody can read it back: a slip of the finger would lock the clerk out until ops
 * reset it again. Each action's form opens under the list and takes focus.
 */
export function StoreClerks({
  context,
  store,
  reloadCount,
}: {
  context: OpsContext;
  store: { id: string; name: string };
  /** Goes up when the screen wants the list read again (Refresh, a clerk added here). */
  reloadCount: number;
}) {
  const { words, token } = context;
  const [list, refresh] = useList(context, opsPaths.clerks(store.id), ClerkListSchema);
  const [acting, setActing] = useState<{ clerk: Clerk; action: Action } | null>(null);
  const [pin, setPin] = useState('');
  const [pinAgain, setPinAgain] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (reloadCount > 0) refresh();
  }, [reloadCount]);
  // An action opened on another store's clerk has no business staying open.
  useEffect(() => setActing(null), [store.id]);

  const open = (clerk: Clerk, action: Action): void => {
    context.clear();
    setPin('');
    setPinAgain('');
    setActing({ clerk, action });
  };
  const setEnabled = async (clerk: Clerk, enabled: boolean): Promise<boolean> => {
    context.clear();
    setBusy(true);
    const result = await callApi(opsPaths.clerkEnabled(store.id, clerk.id), ClerkSchema, {
      method: 'PUT',
      body: { enabled },
      token,
    });
    setBusy(false);
    if (!result.ok) {
      context.fail(result);
      return false;
    }
    context.notify(words.t(enabled ? 'clerks.enabledNotice' : 'clerks.disabledNotice', { name: clerk.name }));
    refresh();
    return true;
  };
  const resetPin = async (clerk: Clerk): Promise<boolean> => {
    context.clear();
    setBusy(true);
    const result = await callApi(opsPaths.clerkPin(store.id, clerk.id), ClerkSchema, {
      method: 'PUT',
      body: { pin },
      token,
    });
    setBusy(false);
    // Not kept on screen after it is sent, whatever the answer, as the create form does.
    setPin('');
    setPinAgain('');
    if (!result.ok) {
      context.fail(result);
      return false;
    }
    context.notify(words.t('clerks.pinNotice', { name: clerk.name }));
    refresh();
    return true;
  };
  const submit = async (): Promise<void> => {
    if (acting === null) return;
    const done =
      acting.action === 'disable' ? await setEnabled(acting.clerk, false) : await resetPin(acting.clerk);
    if (done) setActing(null);
  };

  // A short word in a pill, what it needs said beside it in plain text: a long pill wraps into a blob.
  const statusOf = (clerk: Clerk) => {
    const parts: { key: string; pill: string; tone: string; detail: string }[] = [];
    if (clerk.disabledAtMs !== null)
      parts.push({
        key: 'disabled',
        pill: words.t('clerks.disabled'),
        tone: 'status-neutral',
        detail: words.t('clerks.disabledSince', { since: words.dateTime(clerk.disabledAtMs) }),
      });
    if (clerk.lockedUntilMs !== null)
      parts.push({
        key: 'locked',
        pill: words.t('clerks.locked'),
        tone: 'status-warn',
        detail: words.t('clerks.lockedUntil', { until: words.dateTime(clerk.lockedUntilMs) }),
      });
    if (parts.length === 0)
      parts.push({ key: 'active', pill: words.t('clerks.active'), tone: 'status-good', detail: '' });
    return parts.map((part) => (
      <div key={part.key} class="status-line">
        <span class={`status ${part.tone}`}>{part.pill}</span> {part.detail}
      </div>
    ));
  };
  // What the second PIN says while it is typed: nothing until it goes wrong or is whole.
  const pinAgainStatus =
    pinAgain === ''
      ? undefined
      : pinAgain === pin
        ? { text: words.t('clerks.pinsMatch'), tone: 'ok' as const }
        : pin.startsWith(pinAgain)
          ? undefined
          : { text: words.t('clerks.pinsDiffer'), tone: 'bad' as const };
  const pinReady = clerkPinPattern.test(pin) && pinAgain === pin;
  const title = words.t('clerks.listTitle', { store: store.name, id: store.id });

  return (
    <>
      <ListBody items={list?.clerks ?? null} words={words}>
        {(clerks) => (
          <TableScroll label={title} stack>
            <table>
              <thead>
                <tr>
                  <th scope="col">{words.t('clerks.id')}</th>
                  <th scope="col">{words.t('clerks.name')}</th>
                  <th scope="col">{words.t('clerks.status')}</th>
                  <th scope="col">{words.t('clerks.action')}</th>
                </tr>
              </thead>
              <tbody>
                {clerks.map((clerk) => (
                  <tr key={clerk.id}>
                    <th scope="row">{clerk.id}</th>
                    <td>{clerk.name}</td>
                    <td>{statusOf(clerk)}</td>
                    <td class="row-actions">
                      {clerk.disabledAtMs === null ? (
                        <Button kind="danger" onClick={() => open(clerk, 'disable')}>
                          {words.t('clerks.disable', { name: clerk.name })}
                        </Button>
                      ) : (
                        <Button busy={busy} onClick={() => void setEnabled(clerk, true)}>
                          {words.t('clerks.enable', { name: clerk.name })}
                        </Button>
                      )}
                      <Button onClick={() => open(clerk, 'pin')}>
                        {words.t('clerks.newPin', { name: clerk.name })}
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </ListBody>
      {acting !== null && acting.action === 'disable' && (
        <ActionPanel
          title={words.t('clerks.disableTitle', { name: acting.clerk.name, id: acting.clerk.id })}
          focusId="clerk-disable-body"
          submitLabel={words.t('clerks.disableSubmit')}
          submitKind="danger"
          ready
          busy={busy}
          cancelLabel={words.t('cancel')}
          onSubmit={() => void submit()}
          onCancel={() => setActing(null)}
        >
          {/* Focus lands on what disabling does, so it is read before the button that does it. */}
          <p id="clerk-disable-body" tabIndex={-1}>
            {words.t('clerks.disableBody', { name: acting.clerk.name })}
          </p>
        </ActionPanel>
      )}
      {acting !== null && acting.action === 'pin' && (
        <ActionPanel
          title={words.t('clerks.pinTitle', { name: acting.clerk.name, id: acting.clerk.id })}
          focusId="clerk-new-pin"
          submitLabel={words.t('clerks.pinSubmit')}
          ready={pinReady}
          busy={busy}
          cancelLabel={words.t('cancel')}
          onSubmit={() => {
            if (pinReady) void submit();
          }}
          onCancel={() => setActing(null)}
        >
          <p>{words.t('clerks.pinBody', { name: acting.clerk.name })}</p>
          <ClerkPinField
            id="clerk-new-pin"
            autoComplete="new-password"
            label={words.t('clerks.newPinField')}
            value={pin}
            onInput={setPin}
          />
          <ClerkPinField
            id="clerk-new-pin-again"
            autoComplete="new-password"
            label={words.t('clerks.newPinAgain')}
            value={pinAgain}
            status={pinAgainStatus}
            onInput={setPinAgain}
          />
        </ActionPanel>
      )}
    </>
  );
}
