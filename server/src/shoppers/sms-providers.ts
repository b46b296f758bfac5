import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CodedError } from '@cashin/shared';
import type { MessageSender, OutgoingMessage } from './message-sender.js';
import { maskPhone } from './message-sender.js';

/** Where production sends text messages: Twilio's Messages API, or a company SMS gateway over a webhook. */
export type SmsProviderConfig =
  | {
      readonly kind: 'twilio';
      readonly accountSid: string;
      readonly authToken: string;
      /** An E.164 sender number, or a Messaging Service SID (`MG...`), which picks the number itself. */
      readonly from: string;
      /** https://api.twilio.com, or a regional edge; a test points it at a local stand-in. */
      readonly apiBaseUrl: string;
    }
  | { readonly kind: 'webhook'; readonly url: string; readonly token: string };

/** How long one attempt may take before the message is given up as unknown (never retried). */
export const smsAttemptTimeoutMs = 5_000;
/** The wait before the one retry of an attempt that may be sent again. */
export const smsRetryDelayMs = 300;

/**
 * What became of one attempt.
 * - `refused`: the provider surely did not take the message (no connection was made, the name did not
 *   resolve, 429, 503), so sending again cannot make a second text.
 * - `unknown`: it may have been taken (500, 502, 504, a connection cut after the request went). Twilio
 *   has no idempotency key, so it is not sent again there; our gateway drops a copy by its
 *   Idempotency-Key, so there it is.
 * - `timeout`: may have been taken too, and the shopper has waited long enough: never sent again.
 */
type Attempt =
  | { readonly kind: 'accepted'; readonly providerId: string | null }
  | { readonly kind: 'unreachable'; readonly detail: string }
  | { readonly kind: 'refused'; readonly detail: string }
  | { readonly kind: 'failed'; readonly detail: string }
  | { readonly kind: 'unknown'; readonly detail: string }
  | { readonly kind: 'timeout'; readonly detail: string };

/** Errors of a connection that was never made: nothing reached the provider. */
const notConnectedCodes: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
}

async function post(
  url: string,
  init: { headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<HttpAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: init.headers,
    body: init.body,
    signal: AbortSignal.timeout(init.timeoutMs),
    redirect: 'error',
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // not JSON: kept as text for the log
  }
  return { status: response.status, body };
}

/**
 * A fetch that threw: a timeout, a connection never made (the cause's code says so), or one cut after
 * the request may have gone.
 */
function thrownAttempt(error: unknown): Attempt {
  const name = error instanceof Error ? error.name : '';
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  const detail = `${name || 'Error'}${code ? ` ${code}` : ''}`;
  if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'timeout', detail };
  return notConnectedCodes.has(code) ? { kind: 'refused', detail } : { kind: 'unknown', detail };
}

function statusAttempt(status: number, detail: string): Attempt {
  if (status === 429 || status === 503) return { kind: 'refused', detail };
  return status >= 500 ? { kind: 'unknown', detail } : { kind: 'failed', detail };
}

/** Twilio's answer to a created message (HTTP 201), the fields we keep of it. */
const TwilioMessageSchema = z.object({ sid: z.string().min(1), status: z.string() });
/** Twilio's error body: its own numeric code and a sentence. */
const TwilioErrorSchema = z.object({ code: z.number().int() });

/**
 * Twilio error codes that mean this recipient cannot get a text from us, whatever we retry: not a valid
 * number (21211), not a mobile (21614), opted out with STOP (21610), a region our account may not send to
 * (21408), and a number that cannot receive SMS (21612).
 */
const twilioRecipientCodes: ReadonlySet<number> = new Set([21211, 21408, 21610, 21612, 21614]);

function twilioAttempt(answer: HttpAnswer): Attempt {
  if (answer.status >= 200 && answer.status < 300) {
    const created = TwilioMessageSchema.safeParse(answer.body);
    return { kind: 'accepted', providerId: created.success ? created.data.sid : null };
  }
  const error = TwilioErrorSchema.safeParse(answer.body);
  // Twilio's code says why; its sentence may quote the number, so it stays out of the log.
  const detail = error.success ? `HTTP ${answer.status}, Twilio ${error.data.code}` : `HTTP ${answer.status}`;
  if (error.success && twilioRecipientCodes.has(error.data.code)) return { kind: 'unreachable', detail };
  return statusAttempt(answer.status, detail);
}

/**
 * The gateway contract of the webhook provider: POST JSON `{ to, text }` with the bearer token and an
 * Idempotency-Key that stays the same when an attempt is retried (so the gateway can drop a copy); any
 * 2xx takes the message (a JSON `{ id }` is logged); 422 means the number cannot get texts; 429, 5xx and
 * a cut connection are sent once more with the same key.
 */
const WebhookAcceptedSchema = z.object({ id: z.string().min(1) });

function webhookAttempt(answer: HttpAnswer): Attempt {
  if (answer.status >= 200 && answer.status < 300) {
    const accepted = WebhookAcceptedSchema.safeParse(answer.body);
    return { kind: 'accepted', providerId: accepted.success ? accepted.data.id : null };
  }
  const detail = `HTTP ${answer.status}`;
  if (answer.status === 422) return { kind: 'unreachable', detail };
  return statusAttempt(answer.status, detail);
}

/**
 * Sends through the configured provider. One retry, only of an attempt that cannot make a second text
 * (see Attempt). A
 * recipient the provider cannot reach is PHONE_UNREACHABLE (the shopper can act on it); anything else
 * is SERVICE_UNAVAILABLE, logged with the provider's reason. Logs carry the masked number, never the text
 * (it holds the code) nor a credential.
 */
export class SmsProviderSender implements MessageSender {
  private readonly attemptTimeoutMs: number;

  constructor(
    private readonly provider: SmsProviderConfig,
    private readonly logger: Logger,
    options: { readonly attemptTimeoutMs?: number } = {},
  ) {
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? smsAttemptTimeoutMs;
  }

  async send(message: OutgoingMessage): Promise<void> {
    const idempotencyKey = randomUUID();
    let attempt = await this.attempt(message, idempotencyKey);
    let attempts = 1;
    const again =
      attempt.kind === 'refused' || (attempt.kind === 'unknown' && this.provider.kind === 'webhook');
    if (again) {
      await new Promise((resolve) => setTimeout(resolve, smsRetryDelayMs));
      attempt = await this.attempt(message, idempotencyKey);
      attempts += 1;
    }
    const facts = { to: maskPhone(message.to), provider: this.provider.kind, attempts };
    switch (attempt.kind) {
      case 'accepted':
        this.logger.info({ ...facts, providerId: attempt.providerId }, 'text message sent');
        return;
      case 'unreachable':
        this.logger.warn({ ...facts, reason: attempt.detail }, 'the provider cannot reach this phone');
        throw new CodedError('PHONE_UNREACHABLE');
      default:
        this.logger.error(
          { ...facts, outcome: attempt.kind, reason: attempt.detail },
          'text message not sent',
        );
        throw new CodedError('SERVICE_UNAVAILABLE');
    }
  }

  private async attempt(message: OutgoingMessage, idempotencyKey: string): Promise<Attempt> {
    const provider = this.provider;
    try {
      if (provider.kind === 'twilio') {
        const form = new URLSearchParams({ To: message.to, Body: message.text });
        form.set(provider.from.startsWith('MG') ? 'MessagingServiceSid' : 'From', provider.from);
        const credentials = Buffer.from(`${provider.accountSid}:${provider.authToken}`).toString('base64');
        const url = new URL(
          `/2010-04-01/Accounts/${encodeURIComponent(provider.accountSid)}/Messages.json`,
          provider.apiBaseUrl,
        );
        return twilioAttempt(
          await post(url.href, {
            headers: {
              authorization: `Basic ${credentials}`,
              'content-type': 'application/x-www-form-urlencoded',
              accept: 'application/json',
            },
            body: form.toString(),
            timeoutMs: this.attemptTimeoutMs,
          }),
        );
      }
      return webhookAttempt(
        await post(provider.url, {
          headers: {
            authorization: `Bearer ${provider.token}`,
            'content-type': 'application/json',
            'idempotency-key': idempotencyKey,
          },
          body: JSON.stringify({ to: message.to, text: message.text }),
          timeoutMs: this.attemptTimeoutMs,
        }),
      );
    } catch (error) {
      return thrownAttempt(error);
    }
  }
}
