import { describe, expect, it } from 'vitest';
import { kioskUiUrl, parseShellConfig } from './shell-config.js';

describe('shell config', () => {
  it('reads flags before the environment and makes a fresh bridge token per boot', () => {
    const env = { KIOSK_AGENT_ENTRY: '/opt/kiosk/agent.js', KIOSK_UI_PORT: '9000' };
    const config = parseShellConfig(['--ui-port', '9100', '--windowed'], env);
    expect(config).toMatchObject({
      agentEntry: '/opt/kiosk/agent.js',
      uiPort: 9100,
      kiosk: false,
      nodePath: 'node',
    });
    expect(config.bridgeToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(parseShellConfig([], env).bridgeToken).not.toBe(config.bridgeToken);
    expect(kioskUiUrl(config)).toBe(`http://127.0.0.1:9100/#token=${config.bridgeToken}`);
  });

  it('refuses to start without an agent or with a bad port', () => {
    expect(() => parseShellConfig([], {})).toThrow();
    expect(() => parseShellConfig(['--agent', 'a.js', '--ui-port', '70000'], {})).toThrow();
  });
});
