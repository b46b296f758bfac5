import { ReversalResponseSchema, isUuidV7, uuidv7 } from '@cashin/shared';
import { useRef, useState } from 'preact/hooks';
import { callApi } from '../../common/api.js';
import { Button, Field, Form } from '../../common/components.js';
import { ListSection } from '../list-section.js';
import type { OpsContext } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';

export function ReversalsSection(context: OpsContext) {
  const { words, token } = context;
  const [depositId, setDepositId] = useState('');
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  // One reversal id per deposit, chosen before sending: a retry after a lost answer reverses once.
  const reversalIds = useRef(new Map<string, string>());
  const valid = isUuidV7(depositId.trim()) && reason.trim().length > 0;
  const submit = async (): Promise<void> => {
    context.clear();
    setTouched(true);
    if (!valid) return;
    const deposit = depositId.trim();
    const id = reversalIds.current.get(deposit) ?? uuidv7();
    reversalIds.current.set(deposit, id);
    setBusy(true);
    const result = await callApi(opsPaths.reversals, ReversalResponseSchema, {
      body: { id, depositId: deposit, reason: reason.trim() },
      token,
    });
    setBusy(false);
    if (!result.ok) return context.fail(result);
    context.notify(
      words.t(result.value.heldIn === 'suspense' ? 'reversals.doneSuspense' : 'reversals.done', {
        amount: words.money(result.value.amountMinor, result.value.currency),
        deposit: result.value.depositId,
        result: result.value.result,
      }),
    );
    setDepositId('');
    setReason('');
    setTouched(false);
  };
  return (
    <ListSection title={words.t('reversals.title')} screen="reversals" words={words}>
      <Form onSubmit={() => void submit()}>
        <Field
          id="reversal-deposit"
          label={words.t('reversals.deposit')}
          value={depositId}
          onInput={setDepositId}
          required
        />
        <Field
          id="reversal-reason"
          label={words.t('reversals.reason')}
          value={reason}
          onInput={setReason}
          maxLength={200}
          required
        />
        {touched && !valid && (
          <p class="field-status field-status-bad" role="alert">
            {words.t('reversals.invalid')}
          </p>
        )}
        <Button kind="danger" type="submit" busy={busy}>
          {words.t('reversals.submit')}
        </Button>
      </Form>
    </ListSection>
  );
}
