import type { CurrencyCode, SignUpRequest } from '@cashin/shared';
import {
  CodeSentResponseSchema,
  PhoneE164Schema,
  SessionResponseSchema,
  SignUpResponseSchema,
} from '@cashin/shared';
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { ApiResult } from '../../common/api.js';
import { callApi } from '../../common/api.js';
import { Button, Field, Form, ScreenHeading } from '../../common/components.js';
import { checkedFieldStatus } from '../../common/field-status.js';
import type { PendingSignUp, WalletContext } from '../app.js';
import { normalizePhone } from '../session.js';

/** The currencies a new wallet may hold here; the list grows as the network opens in more countries. */
const walletCurrencies: readonly CurrencyCode[] = ['USD', 'MXN'];

export function WelcomeScreen({ words, go }: WalletContext) {
  return (
    <section class="screen">
      <ScreenHeading text={words.t('welcome.title')} screen="welcome" />
      <p class="lead">{words.t('welcome.body')}</p>
      <div class="actions actions-stacked">
        <Button kind="primary" onClick={() => go('sign-up')}>
          {words.t('welcome.signUp')}
        </Button>
        <Button onClick={() => go('sign-in')}>{words.t('welcome.signIn')}</Button>
      </div>
    </section>
  );
}

/**
 * Asks the server to text a code: a sign-in code, or, for a sign-up, the code that opens the wallet and
 * the sign-up's token (every sending a new one). The server answers the same whether or not the number
 * has a wallet; the text says which. Answers what the code screen then needs: the sign-up and its token.
 */
async function requestCode(
  context: WalletContext,
  phone: string,
  signUp: SignUpRequest | null,
): Promise<ApiResult<PendingSignUp | null>> {
  if (signUp === null) {
    const result = await callApi('/v1/auth/otp', CodeSentResponseSchema, {
      body: { phone, language: context.words.language },
    });
    return result.ok ? { ok: true, value: null } : result;
  }
  const result = await callApi('/v1/shoppers', SignUpResponseSchema, { body: signUp });
  return result.ok ? { ok: true, value: { request: signUp, token: result.value.signUpToken } } : result;
}

/** Texts the code, then moves to the screen that takes it. */
async function sendCode(context: WalletContext, phone: string, signUp: SignUpRequest | null): Promise<void> {
  const result = await requestCode(context, phone, signUp);
  if (!result.ok) {
    context.showError(result.code, result.details);
    return;
  }
  context.setPendingPhone(phone, result.value ?? undefined);
  context.go('verify');
}

function usePhoneField(context: WalletContext) {
  const [typed, setTyped] = useState('');
  const [touched, setTouched] = useState(false);
  const phone = normalizePhone(typed);
  const valid = PhoneE164Schema.safeParse(phone).success;
  const status = checkedFieldStatus(touched, valid, context.words.error('PHONE_INVALID'));
  return { typed, setTyped, phone, valid, status, touch: () => setTouched(true) };
}

/**
 * Sign-up and sign-in are the same screen around a phone number: check it, then hand it to `onPhone`
 * (which texts the one-time code), with a link to the other screen for whoever came to the wrong one.
 * Sign-up's own fields come in as `children`, between the phone and the submit button.
 */
function PhoneScreen({
  context,
  screen,
  title,
  submitText,
  switchText,
  switchRoute,
  onPhone,
  children,
}: {
  context: WalletContext;
  screen: string;
  title: string;
  submitText: string;
  switchText: string;
  switchRoute: string;
  onPhone: (phone: string) => Promise<void>;
  children?: ComponentChildren;
}) {
  const { words } = context;
  const phoneField = usePhoneField(context);
  const [busy, setBusy] = useState(false);
  const submit = async (): Promise<void> => {
    phoneField.touch();
    if (!phoneField.valid) return;
    setBusy(true);
    await onPhone(phoneField.phone);
    setBusy(false);
  };
  return (
    <section class="screen">
      <ScreenHeading text={title} screen={screen} />
      <Form onSubmit={() => void submit()}>
        <Field
          id="phone"
          label={words.t('signUp.phone')}
          hint={words.t('signUp.phoneHint')}
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          value={phoneField.typed}
          onInput={phoneField.setTyped}
          status={phoneField.status}
          required
        />
        {children}
        <Button kind="primary" type="submit" busy={busy}>
          {submitText}
        </Button>
      </Form>
      <Button kind="link" onClick={() => context.go(switchRoute)}>
        {switchText}
      </Button>
    </section>
  );
}

export function SignUpScreen(context: WalletContext) {
  const { words } = context;
  const [name, setName] = useState('');
  const [currency, setCurrency] = useState<CurrencyCode>(context.preferredCurrency);
  // No wallet is opened yet: the server keeps these details until the code it texts is entered.
  const signUp = (phone: string): Promise<void> =>
    sendCode(context, phone, {
      phone,
      ...(name.trim() ? { name: name.trim() } : {}),
      language: words.language,
      currency,
    });
  return (
    <PhoneScreen
      context={context}
      screen="sign-up"
      title={words.t('signUp.title')}
      submitText={words.t('signUp.submit')}
      switchText={words.t('signUp.haveWallet')}
      switchRoute="sign-in"
      onPhone={signUp}
    >
      <Field
        id="name"
        label={words.t('signUp.name')}
        hint={words.t('signUp.nameHint')}
        autoComplete="name"
        maxLength={80}
        value={name}
        onInput={setName}
      />
      <div class="field">
        <label for="currency">{words.t('signUp.currency')}</label>
        <select
          id="currency"
          value={currency}
          onChange={(event) => setCurrency(event.currentTarget.value as CurrencyCode)}
        >
          {walletCurrencies.map((code) => (
            <option key={code} value={code}>
              {code}
            </option>
          ))}
        </select>
      </div>
    </PhoneScreen>
  );
}

export function SignInScreen(context: WalletContext) {
  const { words } = context;
  return (
    <PhoneScreen
      context={context}
      screen="sign-in"
      title={words.t('signIn.title')}
      submitText={words.t('signIn.submit')}
      switchText={words.t('signIn.noWallet')}
      switchRoute="sign-up"
      onPhone={(phone) => sendCode(context, phone, null)}
    />
  );
}

export function VerifyScreen(context: WalletContext) {
  const { words } = context;
  const phone = context.pendingPhone ?? '';
  const [otp, setOtp] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const complete = /^\d{6}$/.test(otp);
  const submit = async (): Promise<void> => {
    setTouched(true);
    if (!complete) return;
    setBusy(true);
    const signUpToken = context.pendingSignUp?.token;
    const result = await callApi('/v1/auth/sessions', SessionResponseSchema, {
      body: { phone, otp, ...(signUpToken === undefined ? {} : { signUpToken }) },
    });
    setBusy(false);
    if (result.ok)
      context.signedIn({ token: result.value.token, expiresAtMs: result.value.expiresAtMs, phone });
    else context.showError(result.code, result.details);
  };
  const signingUp = context.pendingSignUp !== null;
  // A sign-up sent again is a new sign-up: its newer token goes with the newer code it texts.
  const resend = async (): Promise<void> => {
    const result = await requestCode(context, phone, context.pendingSignUp?.request ?? null);
    if (!result.ok) return context.showError(result.code, result.details);
    context.setPendingPhone(phone, result.value ?? undefined);
    context.showBanner({ tone: 'notice', text: words.t('verify.resent') });
  };
  return (
    <section class="screen">
      <ScreenHeading text={words.t('verify.title')} screen="verify" />
      <p class="lead">{words.t(signingUp ? 'verify.bodySignUp' : 'verify.body', { phone })}</p>
      <Form onSubmit={() => void submit()}>
        <Field
          id="otp"
          label={words.t('verify.code')}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          large
          value={otp}
          onInput={(value) => setOtp(value.replace(/\D/g, '').slice(0, 6))}
          status={checkedFieldStatus(touched, complete, words.t('verify.digits'))}
          required
        />
        <Button kind="primary" type="submit" busy={busy}>
          {words.t(signingUp ? 'verify.submitSignUp' : 'verify.submit')}
        </Button>
      </Form>
      <Button kind="link" onClick={() => void resend()}>
        {words.t('verify.resend')}
      </Button>
    </section>
  );
}
