import type { Code, CurrencyCode, FakeClock, SeededRandom } from '@cashin/shared';
import {
  AuthorizationSchema,
  ClerkSessionSchema,
  ErrorBodySchema,
  createUuidV7Generator,
  tillApiPaths,
} from '@cashin/shared';
import type { FaultyLink } from '../testing/faulty-fetch.js';
import { createFaultyLink } from '../testing/faulty-fetch.js';
import type { TillOutcome } from './end-state.js';

/**
 * A store till for a network chaos run: a clerk who signs in and makes sales through the till API over a
 * seeded faulty link, the way the till web app does. Each sale's id is chosen and recorded before it is
 * sent; authorize is retried with the same id until it is answered, commit is retried until the server
 * says committed (or that the authorization expired, so the clerk hands the cash back), and some sales
 * are voided afterwards. What the till believes of each sale is the chaos run's record of till money.
 */
export interface TillSaleRecord {
  readonly authorizationId: string;
  readonly amountMinor: number;
  readonly voidAfterCommit: boolean;
  /** Where the sale stands; `unknown` until every step it needs has been answered. */
  outcome: TillOutcome;
  step: 'authorize' | 'commit' | 'void' | 'done';
  committedBeforeVoid: boolean;
  /** Why authorize said no, when it did (LIMIT_EXCEEDED, ...). */
  refusedWith?: string;
}

export interface TillSalePlan {
  readonly code: Code;
  readonly amountMinor: number;
  readonly voidAfterCommit: boolean;
}

/** Attempts per step while the run goes on; what is still unanswered is driven again once the network heals. */
export const tillStepAttemptsMax = 12;
export const tillRetryBackoffMsMin = 500;
export const tillRetryBackoffMsMax = 8_000;
/** How long the till waits for one answer before it calls the request lost. */
export const tillRequestTimeoutMs = 10_000;

type Answer =
  { kind: 'ok'; body: unknown } | { kind: 'coded'; code: string } | { kind: 'noAnswer'; reason: string };

export class ChaosTill {
  readonly link: FaultyLink;
  readonly sales: TillSaleRecord[] = [];
  private token: string | undefined;
  private readonly newId: () => string;
  requests = 0;

  constructor(
    readonly name: string,
    private readonly options: {
      readonly clock: FakeClock;
      readonly random: SeededRandom;
      readonly target: typeof fetch;
      readonly baseUrl: string;
      readonly storeId: string;
      readonly clerkId: string;
      readonly pin: string;
      readonly currency: CurrencyCode;
    },
  ) {
    const { clock, random } = options;
    this.link = createFaultyLink({
      random: random.fork('link'),
      target: options.target,
      sleep: (ms) => clock.sleep(ms),
    });
    const idRandom = random.fork('ids');
    this.newId = createUuidV7Generator(() => clock.nowMs(), idRandom.bytes);
  }

  get storeId(): string {
    return this.options.storeId;
  }

  private async call(method: 'POST', path: string, body: unknown): Promise<Answer> {
    this.requests += 1;
    const { clock } = this.options;
    const abort = new AbortController();
    const timer = clock.setTimeout(() => abort.abort(), tillRequestTimeoutMs);
    try {
      const response = await this.link.fetch(new URL(path, this.options.baseUrl), {
        method,
        headers: {
          'content-type': 'application/json',
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        body: JSON.stringify(body),
        signal: abort.signal,
      });
      const text = await response.text();
      if (response.ok) return { kind: 'ok', body: JSON.parse(text) as unknown };
      const coded = ErrorBodySchema.safeParse(JSON.parse(text || '{}'));
      if (!coded.success) return { kind: 'noAnswer', reason: `HTTP ${response.status}` };
      const code = coded.data.error.code;
      // Overload and a server going down are not answers about the sale: ask again.
      if (code === 'RATE_LIMITED' || code === 'SERVICE_UNAVAILABLE' || code === 'INTERNAL')
        return { kind: 'noAnswer', reason: code };
      return { kind: 'coded', code };
    } catch (error) {
      return { kind: 'noAnswer', reason: error instanceof Error ? error.message : String(error) };
    } finally {
      clock.clearTimeout(timer);
    }
  }

  /** Asks until answered (or attempts run out), backing off on the run's clock. */
  private async ask(path: string, body: unknown, attemptsMax: number): Promise<Answer> {
    let backoffMs = tillRetryBackoffMsMin;
    let answer: Answer = { kind: 'noAnswer', reason: 'not asked' };
    for (let attempt = 0; attempt < attemptsMax; attempt += 1) {
      answer = await this.call('POST', path, body);
      if (
        answer.kind === 'coded' &&
        (answer.code === 'UNAUTHENTICATED' || answer.code === 'SESSION_EXPIRED')
      ) {
        this.token = undefined;
        await this.signIn(attemptsMax);
        continue;
      }
      if (answer.kind !== 'noAnswer') return answer;
      await this.options.clock.sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, tillRetryBackoffMsMax);
    }
    return answer;
  }

  async signIn(attemptsMax = tillStepAttemptsMax): Promise<boolean> {
    const { storeId, clerkId, pin } = this.options;
    let backoffMs = tillRetryBackoffMsMin;
    for (let attempt = 0; attempt < attemptsMax; attempt += 1) {
      const answer = await this.call('POST', tillApiPaths.session, { storeId, clerkId, pin });
      if (answer.kind === 'ok') {
        this.token = ClerkSessionSchema.parse(answer.body).token;
        return true;
      }
      if (answer.kind === 'coded') throw new Error(`till ${this.name} cannot sign in: ${answer.code}`);
      await this.options.clock.sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, tillRetryBackoffMsMax);
    }
    return false;
  }

  /** One sale: recorded first, then authorize, commit and perhaps void, as far as answers allow. */
  async sell(plan: TillSalePlan): Promise<void> {
    const sale: TillSaleRecord = {
      authorizationId: this.newId(),
      amountMinor: plan.amountMinor,
      voidAfterCommit: plan.voidAfterCommit,
      outcome: 'unknown',
      step: 'authorize',
      committedBeforeVoid: false,
    };
    this.sales.push(sale);
    this.codes.set(sale.authorizationId, plan.code);
    await this.drive(sale, tillStepAttemptsMax);
  }

  private readonly codes = new Map<string, Code>();

  /** Moves a sale on from its step until it is done or a step goes unanswered `attemptsMax` times. */
  async drive(sale: TillSaleRecord, attemptsMax: number): Promise<void> {
    if (this.token === undefined && !(await this.signIn(attemptsMax))) return;
    while (sale.step !== 'done') {
      if (sale.step === 'authorize') {
        const answer = await this.ask(
          tillApiPaths.authorizations,
          {
            authorizationId: sale.authorizationId,
            code: this.codes.get(sale.authorizationId),
            amountMinor: sale.amountMinor,
            currency: this.options.currency,
          },
          attemptsMax,
        );
        if (answer.kind === 'noAnswer') return;
        if (answer.kind === 'coded') {
          // Refused before the clerk took any cash: a limit, a bad code. Nothing to credit.
          sale.outcome = 'refused';
          sale.refusedWith = answer.code;
          sale.step = 'done';
          continue;
        }
        const status = AuthorizationSchema.parse(answer.body).status;
        if (status === 'expired') {
          sale.outcome = 'expired';
          sale.step = 'done';
          continue;
        }
        sale.step = 'commit';
      } else if (sale.step === 'commit') {
        const answer = await this.ask(tillApiPaths.commit(sale.authorizationId), {}, attemptsMax);
        if (answer.kind === 'noAnswer') return;
        if (answer.kind === 'coded') {
          if (answer.code !== 'AUTHORIZATION_EXPIRED' && answer.code !== 'ALREADY_VOIDED')
            throw new Error(`till ${this.name}: commit answered ${answer.code}`);
          sale.outcome = answer.code === 'AUTHORIZATION_EXPIRED' ? 'expired' : 'voided';
          sale.step = 'done';
          continue;
        }
        AuthorizationSchema.parse(answer.body);
        sale.outcome = 'committed';
        sale.committedBeforeVoid = true;
        sale.step = sale.voidAfterCommit ? 'void' : 'done';
      } else {
        const answer = await this.ask(
          tillApiPaths.void(sale.authorizationId),
          { reason: 'chaos: shopper changed their mind' },
          attemptsMax,
        );
        if (answer.kind === 'noAnswer') return;
        if (answer.kind === 'coded') {
          if (answer.code !== 'VOID_WINDOW_CLOSED')
            throw new Error(`till ${this.name}: void answered ${answer.code}`);
          sale.step = 'done';
          continue;
        }
        AuthorizationSchema.parse(answer.body);
        sale.outcome = 'voided';
        sale.step = 'done';
      }
    }
  }

  /** Sales still waiting for an answer. */
  pending(): TillSaleRecord[] {
    return this.sales.filter((sale) => sale.step !== 'done');
  }
}
