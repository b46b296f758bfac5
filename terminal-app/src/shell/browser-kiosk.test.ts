import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { BridgeServer } from '../agent/bridge-server.js';
import { startBridgeServer } from '../agent/bridge-server.js';
import { ManualSnapshotSource } from '../testing/manual-snapshot-source.js';
import { buildKioskUi } from '../ui-tests/build-ui.js';
import { chromiumKioskArgs, findChromium, hasDisplay } from './browser-kiosk.js';

describe('browser kiosk arguments', () => {
  it('open one app page in kiosk mode with its own profile and no network of its own', () => {
    const args = chromiumKioskArgs({
      url: 'http://127.0.0.1:8090/#token=t',
      userDataDir: '/var/kiosk/profile',
    });
    expect(args).toContain('--kiosk');
    expect(args).toContain('--app=http://127.0.0.1:8090/#token=t');
    expect(args).toContain('--user-data-dir=/var/kiosk/profile');
    expect(args).toContain('--disable-background-networking');
    expect(args).not.toContain('--headless');
  });

  it('know when there is a display and which browser is installed', () => {
    expect(hasDisplay({})).toBe(false);
    expect(hasDisplay({ DISPLAY: ':0' })).toBe(true);
    expect(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' })).toBe(true);
    expect(findChromium((p) => p === '/usr/bin/chromium-browser', {})).toBe('/usr/bin/chromium-browser');
    expect(findChromium((p) => p === '/opt/c', { CHROMIUM_PATH: '/opt/c' })).toBe('/opt/c');
    expect(findChromium(() => false, {})).toBeUndefined();
  });
});

describe('Chromium started with the kiosk arguments', () => {
  let server: BridgeServer | undefined;
  let browserProcess: ReturnType<typeof spawn> | undefined;
  afterAll(async () => {
    browserProcess?.kill('SIGKILL');
    await server?.close();
  });

  it('shows the attract screen of the agent UI', async () => {
    const token = 'browser-kiosk-test-token-012345678';
    server = await startBridgeServer({
      port: 0,
      token,
      uiDir: await buildKioskUi(),
      source: new ManualSnapshotSource(),
      onIntent: () => {},
      messageBytesMax: 65_536,
      helloTimeoutMs: 5_000,
      connectionsMax: 4,
    });
    const profile = mkdtempSync(path.join(tmpdir(), 'kiosk-profile-'));
    const executable = findChromium(existsSync, process.env);
    expect(executable).toBeDefined();
    browserProcess = spawn(
      executable!,
      chromiumKioskArgs({
        url: `${server.url}/#token=${token}`,
        userDataDir: profile,
        headless: true,
        remoteDebuggingPort: 0,
      }),
      { stdio: 'ignore' },
    );
    // Chromium writes the port it chose into the profile once DevTools listens.
    const portFile = path.join(profile, 'DevToolsActivePort');
    await expect.poll(() => existsSync(portFile), { timeout: 20_000 }).toBe(true);
    const port = readFileSync(portFile, 'utf8').split('\n')[0];
    const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
    const page = browser.contexts()[0]?.pages()[0];
    expect(page).toBeDefined();
    await expect
      .poll(() => page!.locator('h1').textContent(), { timeout: 10_000 })
      .toBe('Turn your cash into wallet money');
    await browser.close();
  });
});
