import type { ErrorCode } from '@cashin/shared';
import { ErrorBodySchema } from '@cashin/shared';
import type { z } from 'zod';

/**
 * The one way the web apps talk to the server. Every answer is parsed with the shared zod schema of its
 * route; every failure becomes a catalogue code the screens show in plain words. Nothing here throws for an
 * expected failure: a lost network, a refusal and a malformed answer are all values.
 */
export type ApiResult<T> = { ok: true; value: T } | ({ ok: false } & ApiFailure);

/** An expected failure as the screens keep and show it: a catalogue code and its details. */
export interface ApiFailure {
  code: ErrorCode;
  details: Readonly<Record<string, unknown>>;
}

export interface ApiRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly body?: unknown;
  readonly token?: string | null;
  /** Gives up on a silent server: a phone on a weak signal should see "try again", not spin forever. */
  readonly timeoutMs?: number;
}

/** The longest any call waits for the server before it counts as unreachable. */
export const requestTimeoutMsMax = 20_000;

type Answer =
  { ok: true; response: Response } | { ok: false; code: ErrorCode; details: Record<string, never> };

async function send(path: string, request: ApiRequest, accept: string): Promise<Answer> {
  const headers: Record<string, string> = { accept };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (request.token) headers['authorization'] = `Bearer ${request.token}`;
  try {
    const response = await fetch(path, {
      method: request.method ?? (request.body === undefined ? 'GET' : 'POST'),
      headers,
      body: request.body === undefined ? null : JSON.stringify(request.body),
      credentials: 'omit',
      cache: 'no-store',
      signal: AbortSignal.timeout(Math.min(request.timeoutMs ?? requestTimeoutMsMax, requestTimeoutMsMax)),
    });
    return { ok: true, response };
  } catch {
    return { ok: false, code: 'SERVER_UNREACHABLE', details: {} };
  }
}

/** A refusal as the catalogue code the server's error body carries. */
async function failureOf(response: Response): Promise<ApiResult<never>> {
  let json: unknown = undefined;
  try {
    json = await response.json();
  } catch {
    return { ok: false, code: 'SERVICE_UNAVAILABLE', details: {} };
  }
  const error = ErrorBodySchema.safeParse(json);
  if (error.success)
    return { ok: false, code: error.data.error.code, details: error.data.error.details ?? {} };
  return { ok: false, code: response.status >= 500 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL', details: {} };
}

export async function callApi<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
  request: ApiRequest = {},
): Promise<ApiResult<z.output<Schema>>> {
  const answer = await send(path, request, 'application/json');
  if (!answer.ok) return answer;
  const { response } = answer;
  if (!response.ok) return failureOf(response);
  let json: unknown = undefined;
  if (response.status !== 204) {
    try {
      json = await response.json();
    } catch {
      return { ok: false, code: 'INTERNAL', details: {} };
    }
  }
  const parsed = schema.safeParse(json);
  // An answer that does not match the contract is our bug, not the user's: say so in the catalogue's words.
  if (!parsed.success) return { ok: false, code: 'INTERNAL', details: {} };
  return { ok: true, value: parsed.data };
}

/** A document the server renders itself (a CSV report), as text; refusals come back as JSON errors. */
export async function callApiText(
  path: string,
  accept: string,
  request: ApiRequest = {},
): Promise<ApiResult<string>> {
  const answer = await send(path, request, accept);
  if (!answer.ok) return answer;
  if (!answer.response.ok) return failureOf(answer.response);
  try {
    return { ok: true, value: await answer.response.text() };
  } catch {
    return { ok: false, code: 'SERVER_UNREACHABLE', details: {} };
  }
}

/** Codes that mean the session is gone: the app returns to its sign-in screen. */
export function isSignedOut(code: ErrorCode): boolean {
  return code === 'UNAUTHENTICATED' || code === 'SESSION_EXPIRED';
}
