import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Supervisor, waitUntilReady } from './supervisor.js';

const node = process.execPath;

describe('Supervisor', () => {
  it('prefixes each line of a child with its name', async () => {
    const lines: string[] = [];
    const exited = new Promise<string>((resolve) => {
      const supervisor = new Supervisor(
        (name) => resolve(name),
        (line) => lines.push(line),
      );
      supervisor.start({
        name: 'echo',
        command: node,
        args: ['-e', "console.log('one'); console.error('two')"],
      });
    });
    expect(await exited).toBe('echo');
    expect(lines.sort()).toEqual(['[echo] one', '[echo] two']);
  });

  it('reports a child that dies unexpectedly, with its exit code', async () => {
    const report = await new Promise<[string, number | null]>((resolve) => {
      const supervisor = new Supervisor(
        (name, code) => resolve([name, code]),
        () => {},
      );
      supervisor.start({ name: 'crash', command: node, args: ['-e', 'process.exit(3)'] });
    });
    expect(report).toEqual(['crash', 3]);
  });

  it('stops every child on request without calling it unexpected', async () => {
    const unexpected: string[] = [];
    const supervisor = new Supervisor(
      (name) => unexpected.push(name),
      () => {},
    );
    const forever = ['-e', 'setInterval(() => {}, 1000)'];
    const a = supervisor.start({ name: 'a', command: node, args: forever });
    supervisor.start({ name: 'b', command: node, args: forever });
    expect(supervisor.running).toEqual(['a', 'b']);
    await supervisor.stop();
    expect(supervisor.running).toEqual([]);
    expect(a.signalCode).toBe('SIGTERM');
    expect(unexpected).toEqual([]);
  });
});

describe('waitUntilReady', () => {
  it('waits for a 2xx answer and gives up on a closed port', async () => {
    const server = createServer((_, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    expect(await waitUntilReady(`http://127.0.0.1:${port}/`, 2_000, 20)).toBe(true);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await waitUntilReady(`http://127.0.0.1:${port}/`, 200, 20)).toBe(false);
  });
});
