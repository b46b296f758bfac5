import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LimitsError } from '@cashin/shared';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

function limitsFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cashin-config-')), 'limits.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe('config', () => {
  it('has safe defaults: port 8080, SQLite under ./data, no ops token', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.storage).toEqual({ kind: 'sqlite', path: './data/server.sqlite' });
    expect(config.opsToken).toBeUndefined();
    // The development inbox shows one-time codes: never on unless asked for (or in tests).
    expect(config.devInboxEnabled).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).devInboxEnabled).toBe(false);
    expect(loadConfig({ DEV_INBOX: 'on' }).devInboxEnabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).devInboxEnabled).toBe(true);
  });

  it('trusts X-Forwarded-For only from the reverse proxies named in TRUST_PROXY', () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8' }).trustedProxies).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
    ]);
    for (const bad of ['true', 'proxy.local', '10.0.0.0/33', '::1/129', '1.2.3.4/8/1', ''])
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(ConfigError);
  });

  it('chooses PostgreSQL when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db', DATABASE_SCHEMA: 'cashin' });
    expect(config.storage).toEqual({ kind: 'postgres', url: 'postgres://u@h:5432/db', schema: 'cashin' });
  });

  it('refuses a bad port, a short ops token, and production without a claim secret or a signing key', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(ConfigError);
    expect(() => loadConfig({ OPS_TOKEN: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    const secrets = { CLAIM_CODE_SECRET: 'x'.repeat(32), SERVER_SIGNING_KEY: 'k'.repeat(43) };
    expect(() => loadConfig({ NODE_ENV: 'production', CLAIM_CODE_SECRET: 'x'.repeat(32) })).toThrow(
      /SERVER_SIGNING_KEY is required/,
    );
    expect(() => loadConfig({ ...secrets, SERVER_SIGNING_KEY: 'too-short' })).toThrow(/SERVER_SIGNING_KEY/);
    expect(loadConfig({ NODE_ENV: 'production', ...secrets }).devInboxEnabled).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', ...secrets }).serverSigningSeed).toHaveLength(32);
    // A rollover's keys: public keys separated by commas, no more than a kiosk holds.
    const [a, b] = ['a'.repeat(43), 'b'.repeat(43)];
    expect(loadConfig({ SERVER_TRUSTED_KEYS: `${a}, ${b}` }).serverTrustedKeys).toEqual([a, b]);
    expect(loadConfig({}).serverTrustedKeys).toEqual([]);
    expect(() => loadConfig({ SERVER_TRUSTED_KEYS: `${a},not-a-key` })).toThrow(/SERVER_TRUSTED_KEYS/);
    expect(() => loadConfig({ SERVER_TRUSTED_KEYS: [a, b, a, b].join(',') })).toThrow(/SERVER_TRUSTED_KEYS/);
  });

  it('lays a limits file over the defaults and refuses incoherent limits at start-up', () => {
    const config = loadConfig({ LIMITS_FILE: limitsFile({ system: { otpAttemptsMax: 3 } }) });
    expect(config.limits.system.otpAttemptsMax).toBe(3);
    expect(config.limits.system.otpTtlMs).toBeGreaterThan(0);
    expect(() => loadConfig({ LIMITS_FILE: limitsFile({ system: { otpLockoutMs: 1 } }) })).toThrow(
      LimitsError,
    );
  });
});
