import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '@cashin/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkFault, createFaultyLink } from './faulty-fetch.js';

let received = 0;
let url = '';
const server = createServer((_, response) => {
  received += 1;
  response.end(JSON.stringify({ received }));
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('faulty link', () => {
  it('passes requests through when it has no faults', async () => {
    const link = createFaultyLink({ random: seededRandom(1) });
    const before = received;
    expect(await (await link.fetch(url)).json()).toEqual({ received: before + 1 });
  });

  it('loses an answer only after the server acted on the request', async () => {
    const link = createFaultyLink({ random: seededRandom(1), faults: { loseAnswer: 1 } });
    const before = received;
    await expect(link.fetch(url)).rejects.toBeInstanceOf(LinkFault);
    expect(received).toBe(before + 1);
    expect(link.stats.answersLost).toBe(1);
  });

  it('drops a request before the server sees it, and refuses everything while down', async () => {
    const link = createFaultyLink({ random: seededRandom(1), faults: { dropRequest: 1 } });
    const before = received;
    await expect(link.fetch(url)).rejects.toBeInstanceOf(LinkFault);
    link.faults = { ...link.faults, dropRequest: 0, down: true };
    await expect(link.fetch(url)).rejects.toBeInstanceOf(LinkFault);
    expect(received).toBe(before);
    expect(link.stats).toMatchObject({ dropped: 1, refusedWhileDown: 1 });
  });

  it('delivers a duplicated request twice and answers once', async () => {
    const link = createFaultyLink({ random: seededRandom(1), faults: { duplicate: 1 } });
    const before = received;
    expect(await (await link.fetch(url)).json()).toEqual({ received: before + 2 });
    expect(received).toBe(before + 2);
  });

  it('makes the same choices from the same seed', async () => {
    const run = async (seed: number): Promise<string[]> => {
      const link = createFaultyLink({
        random: seededRandom(seed),
        faults: { dropRequest: 0.3, loseAnswer: 0.3, duplicate: 0.2 },
      });
      const outcomes: string[] = [];
      for (let index = 0; index < 30; index += 1) {
        outcomes.push(
          await link.fetch(url).then(
            () => 'ok',
            (error: Error) => error.message,
          ),
        );
      }
      return outcomes;
    };
    expect(await run(5)).toEqual(await run(5));
    expect(await run(5)).not.toEqual(await run(6));
  });
});
