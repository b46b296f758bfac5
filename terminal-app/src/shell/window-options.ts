import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The one kiosk window: full screen with no frame, and a renderer that can reach nothing of Node or the
 * machine. The UI talks to the agent only through the typed bridge (a WebSocket to 127.0.0.1), so the
 * renderer needs no privileges at all: context isolation, the Chromium sandbox, no Node integration.
 * `kiosk: false` is for a technician's bench: a normal window with dev tools.
 */
export function kioskWindowOptions(options: { kiosk: boolean }): BrowserWindowConstructorOptions {
  return {
    kiosk: options.kiosk,
    fullscreen: options.kiosk,
    frame: !options.kiosk,
    autoHideMenuBar: true,
    backgroundColor: '#000000',
    show: false,
    // No preload script: the renderer needs nothing from Electron, so it is given nothing.
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      devTools: !options.kiosk,
      navigateOnDragDrop: false,
    },
  };
}

/**
 * The window may show only the kiosk UI the agent serves: same origin, nothing else. Links, drags, form
 * posts and scripts that try to go elsewhere are refused, and new windows are never opened.
 */
export function isAllowedNavigation(targetUrl: string, uiUrl: string): boolean {
  try {
    return new URL(targetUrl).origin === new URL(uiUrl).origin;
  } catch {
    return false;
  }
}
