import { StaffSessionSchema, opsApiPaths } from '@cashin/shared';
import { useState } from 'preact/hooks';
import type { ApiFailure } from '../common/api.js';
import { callApi } from '../common/api.js';
import { Button, Field, Form, ScreenHeading } from '../common/components.js';
import type { OpsWords } from './ops-context.js';

/** Who is signed in: a person's session (with their name) or the service token. */
export interface OpsSignedIn {
  readonly token: string;
  readonly staffName: string | null;
  readonly staffId: string | null;
}

/**
 * A person signs in with their username and password; the service token (OPS_TOKEN) is the way in before
 * the first staff account exists, behind a second form.
 */
export function SignIn({
  words,
  onSignedIn,
  onFailure,
}: {
  words: OpsWords;
  onSignedIn: (signedIn: OpsSignedIn) => void;
  onFailure: (failure: ApiFailure) => void;
}) {
  const [withToken, setWithToken] = useState(false);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const signIn = async (): Promise<void> => {
    setBusy(true);
    const result = await callApi(opsApiPaths.session, StaffSessionSchema, {
      body: { username: username.trim(), password },
    });
    setBusy(false);
    setPassword('');
    if (!result.ok) return onFailure(result);
    onSignedIn({
      token: result.value.token,
      staffName: result.value.staff.name,
      staffId: result.value.staff.id,
    });
  };
  return (
    <section class="screen screen-narrow">
      <ScreenHeading text={words.t('signIn.title')} screen="signIn" />
      {withToken ? (
        <Form
          key="token"
          onSubmit={() => token.trim() && onSignedIn({ token: token.trim(), staffName: null, staffId: null })}
        >
          <Field
            id="token"
            type="password"
            label={words.t('signIn.token')}
            hint={words.t('signIn.tokenHint')}
            value={token}
            onInput={setToken}
            required
          />
          <Button kind="primary" type="submit" disabled={!token.trim()}>
            {words.t('signIn.submit')}
          </Button>
          <Button kind="link" onClick={() => setWithToken(false)}>
            {words.t('signIn.withPassword')}
          </Button>
        </Form>
      ) : (
        <Form key="password" onSubmit={() => void signIn()}>
          <Field
            id="username"
            label={words.t('signIn.username')}
            autoComplete="username"
            value={username}
            onInput={setUsername}
            maxLength={64}
            required
          />
          <Field
            id="password"
            type="password"
            label={words.t('signIn.password')}
            autoComplete="current-password"
            value={password}
            onInput={setPassword}
            required
          />
          <Button kind="primary" type="submit" busy={busy} disabled={!username.trim() || !password}>
            {words.t('signIn.submit')}
          </Button>
          <Button kind="link" onClick={() => setWithToken(true)}>
            {words.t('signIn.withToken')}
          </Button>
        </Form>
      )}
    </section>
  );
}
