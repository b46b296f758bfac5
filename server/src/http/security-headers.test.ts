import Fastify from 'fastify';
import helmet from 'helmet';
import type { HelmetOptions } from 'helmet';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { helmetHeaders, installSecurityHeaders } from './security-headers.js';

const options: HelmetOptions = {
  contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:'] } },
};

/** What helmet itself writes on a real Node response for the same options. */
function headersHelmetSets(): Record<string, string> {
  const request = new IncomingMessage(new Socket());
  const response = new ServerResponse(request);
  helmet(options)(request, response, () => undefined);
  return Object.fromEntries(
    Object.entries(response.getHeaders()).map(([name, value]) => [name, String(value)]),
  );
}

describe('security headers', () => {
  it('computes once exactly the headers helmet sets on a response', () => {
    const expected = headersHelmetSets();
    expect(Object.keys(expected).length).toBeGreaterThan(5);
    expect(helmetHeaders(options)).toEqual(expected);
  });

  it('puts them on every answer, errors included, and lets a route override one', async () => {
    const app = Fastify();
    installSecurityHeaders(app, options);
    app.get('/plain', async () => ({ ok: true }));
    app.get('/own-csp', async (_request, reply) =>
      reply.header('content-security-policy', "default-src 'none'").send({ ok: true }),
    );
    app.get('/fails', async () => {
      throw new Error('boom');
    });
    const expected = headersHelmetSets();
    for (const url of ['/plain', '/fails', '/missing']) {
      const response = await app.inject({ method: 'GET', url });
      for (const [name, value] of Object.entries(expected)) expect(response.headers[name]).toBe(value);
    }
    const own = await app.inject({ method: 'GET', url: '/own-csp' });
    expect(own.headers['content-security-policy']).toBe("default-src 'none'");
    expect(own.headers['x-content-type-options']).toBe('nosniff');
    await app.close();
  });
});
