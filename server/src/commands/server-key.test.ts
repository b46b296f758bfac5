import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serverSigningKeyFromSeed } from '../terminals/answer-signing.js';

const command = join(import.meta.dirname, 'server-key.ts');
const run = (args: string[], env: Record<string, string> = {}) => {
  const { SERVER_SIGNING_KEY: _inherited, ...rest } = process.env;
  return execFileSync(process.execPath, ['--import', 'tsx', command, ...args], {
    env: { ...rest, NODE_ENV: 'development', ...env },
    encoding: 'utf8',
  });
};

describe('npm run server-key', () => {
  it("makes a new seed with its public half, and tells a configured seed's public half", () => {
    const made = run(['--new']);
    const seed = /SERVER_SIGNING_KEY[^:]*: ([A-Za-z0-9_-]{43})\n/.exec(made)?.[1];
    const publicKey = /public key[^:]*: ([A-Za-z0-9_-]{43})\n/.exec(made)?.[1];
    expect(seed).toBeDefined();
    expect(serverSigningKeyFromSeed(Buffer.from(seed!, 'base64url')).publicKey).toBe(publicKey);
    // The operator checks what a process configured with that seed will sign with.
    expect(run([], { SERVER_SIGNING_KEY: seed! })).toBe(`public key: ${publicKey}\n`);
    expect(run([])).toMatch(/^public key \(of the development key: SERVER_SIGNING_KEY is unset\): /);
  });
});
