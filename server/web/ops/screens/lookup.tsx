import { CodeLookupResponseSchema, parseCode } from '@cashin/shared';
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi } from '../../common/api.js';
import { Button, Field, Form } from '../../common/components.js';
import { ListSection } from '../list-section.js';
import type { OpsContext } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';

export function LookupSection(context: OpsContext) {
  const { words, token } = context;
  const [typed, setTyped] = useState('');
  const [found, setFound] = useState<z.output<typeof CodeLookupResponseSchema> | null>(null);
  const submit = async (): Promise<void> => {
    context.clear();
    const parsed = parseCode(typed, ['deposit', 'slip']);
    if (!parsed.ok) return context.fail({ code: 'CODE_MALFORMED', details: {} });
    const result = await callApi(opsPaths.codeLookups, CodeLookupResponseSchema, {
      body: { code: parsed.code },
      token,
    });
    if (result.ok) setFound(result.value);
    else {
      setFound(null);
      context.fail(result);
    }
  };
  return (
    <ListSection title={words.t('lookup.title')} screen="lookup" words={words}>
      <Form onSubmit={() => void submit()}>
        <Field
          id="lookup-code"
          label={words.t('lookup.code')}
          inputMode="numeric"
          value={typed}
          onInput={setTyped}
          required
        />
        <Button kind="primary" type="submit" disabled={!typed.trim()}>
          {words.t('lookup.submit')}
        </Button>
      </Form>
      {found && (
        <dl class="panel facts" data-testid="lookup-result">
          <dt>{words.t('lookup.name')}</dt>
          <dd>{found.maskedName}</dd>
          <dt>{words.t('lookup.remaining')}</dt>
          <dd>{words.money(found.allowance.remainingMinor, found.currency)}</dd>
          <dt>{words.t('lookup.remainingDeposits')}</dt>
          <dd>{found.allowance.remainingDeposits}</dd>
          <dt>{words.t('lookup.range')}</dt>
          <dd>
            {words.money(found.depositMinMinor, found.currency)} –{' '}
            {words.money(found.depositMaxMinor, found.currency)}
          </dd>
          {found.slipAmountMinor !== null && (
            <>
              <dt>{words.t('lookup.slip')}</dt>
              <dd>{words.money(found.slipAmountMinor, found.currency)}</dd>
            </>
          )}
        </dl>
      )}
    </ListSection>
  );
}
