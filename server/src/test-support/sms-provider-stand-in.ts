import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for an SMS provider's HTTP API (Twilio, or our gateway webhook), which this machine cannot
 * reach: a real HTTP server on loopback that records every request and answers what the test scripts,
 * so the real sender runs over the real network stack. A fake by necessity, labelled as one.
 */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One scripted answer: a status and body, or `hang` (never answer, to test timeouts). */
export type ScriptedAnswer = { readonly status: number; readonly body: unknown } | 'hang';

export interface SmsProviderStandIn {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Answers for the next requests, in order; when none is left, `otherwise` answers. */
  script(...answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

export async function startSmsProviderStandIn(otherwise: ScriptedAnswer): Promise<SmsProviderStandIn> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedAnswer[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = queue.shift() ?? otherwise;
      if (answer === 'hang') {
        hanging.push(response);
        return;
      }
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    script: (...answers) => queue.push(...answers),
    close: async () => {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
