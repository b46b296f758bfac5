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

  it('chooses PostgreSQL when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db', DATABASE_SCHEMA: 'cashin' });
    expect(config.storage).toEqual({ kind: 'postgres', url: 'postgres://u@h:5432/db', schema: 'cashin' });
  });

  it('refuses a bad port, a short ops token, and production without a claim secret', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(ConfigError);
    expect(() => loadConfig({ OPS_TOKEN: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(loadConfig({ NODE_ENV: 'production', CLAIM_CODE_SECRET: 'x'.repeat(32) }).devInboxEnabled).toBe(
      false,
    );
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
