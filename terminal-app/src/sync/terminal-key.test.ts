import { chmodSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ExposedTerminalKeyError,
  loadOrCreateTerminalKey,
  terminalKeyFile,
  verifyWithRawPublicKey,
} from './terminal-key.js';

describe('terminal key', () => {
  it('is made once, kept readable by the agent alone, and reloaded the same', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'kiosk-')), 'data');
    const first = loadOrCreateTerminalKey(dir);
    expect(first.created).toBe(true);
    expect(statSync(path.join(dir, terminalKeyFile)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const again = loadOrCreateTerminalKey(dir);
    expect(again.created).toBe(false);
    expect(again.key.publicKey).toBe(first.key.publicKey);
    expect(first.key.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('signs what the raw public key verifies, and nothing else', () => {
    const { key } = loadOrCreateTerminalKey(mkdtempSync(path.join(tmpdir(), 'kiosk-')));
    const message = new TextEncoder().encode('cashin-sig-1\nPOST\n/v1/terminal/sync');
    const signature = key.sign(message);
    expect(signature).toHaveLength(64);
    expect(verifyWithRawPublicKey(key.publicKey, message, signature)).toBe(true);
    expect(key.verify(message, signature)).toBe(true);
    const tampered = new TextEncoder().encode('cashin-sig-1\nPOST\n/v1/terminal/lookup');
    expect(verifyWithRawPublicKey(key.publicKey, tampered, signature)).toBe(false);
  });

  it('refuses a key file that other users can read', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kiosk-'));
    loadOrCreateTerminalKey(dir);
    chmodSync(path.join(dir, terminalKeyFile), 0o644);
    expect(() => loadOrCreateTerminalKey(dir)).toThrow(ExposedTerminalKeyError);
  });
});
