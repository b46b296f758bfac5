import { useState } from 'preact/hooks';
import { Button, Field, Form, ScreenHeading } from '../common/components.js';
import type { OpsWords } from './ops-context.js';

export function SignIn({ words, onToken }: { words: OpsWords; onToken: (token: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <section class="screen screen-narrow">
      <ScreenHeading text={words.t('signIn.title')} screen="signIn" />
      <Form onSubmit={() => value.trim() && onToken(value.trim())}>
        <Field
          id="token"
          type="password"
          label={words.t('signIn.token')}
          hint={words.t('signIn.tokenHint')}
          value={value}
          onInput={setValue}
          required
        />
        <Button kind="primary" type="submit" disabled={!value.trim()}>
          {words.t('signIn.submit')}
        </Button>
      </Form>
    </section>
  );
}
