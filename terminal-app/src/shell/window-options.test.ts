import { describe, expect, it } from 'vitest';
import { isAllowedNavigation, kioskWindowOptions } from './window-options.js';

describe('kiosk window options', () => {
  it('give the renderer no Node, a sandbox and isolated context, in kiosk mode', () => {
    const options = kioskWindowOptions({ kiosk: true });
    expect(options).toMatchObject({ kiosk: true, fullscreen: true, frame: false });
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      devTools: false,
    });
    expect(options.webPreferences?.preload).toBeUndefined();
  });

  it('keep the same protections in a windowed bench session', () => {
    const options = kioskWindowOptions({ kiosk: false });
    expect(options.kiosk).toBe(false);
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
  });
});

describe('navigation policy', () => {
  const ui = 'http://127.0.0.1:8090/#token=abc';

  it('allows only the agent UI origin', () => {
    expect(isAllowedNavigation('http://127.0.0.1:8090/maintenance', ui)).toBe(true);
    expect(isAllowedNavigation('http://127.0.0.1:8091/', ui)).toBe(false);
    expect(isAllowedNavigation('https://127.0.0.1:8090/', ui)).toBe(false);
    expect(isAllowedNavigation('http://example.com/', ui)).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd', ui)).toBe(false);
    expect(isAllowedNavigation('javascript:alert(1)', ui)).toBe(false);
    expect(isAllowedNavigation('not a url', ui)).toBe(false);
  });
});
