/**
 * Chromium as the kiosk window, for Linux kiosks without Electron (and for tests): the same UI, the same
 * per-boot token, the same rules as the Electron window (one full-screen app page, no infobars, no error
 * dialogs, no navigation bar, no network chatter of its own).
 */
export interface ChromiumKioskOptions {
  url: string;
  /** A profile folder of the kiosk's own, so nothing of a person's browser leaks in or out. */
  userDataDir: string;
  /** Tests run it headless with a debugging port to look inside. */
  headless?: boolean;
  remoteDebuggingPort?: number;
}

export function chromiumKioskArgs(options: ChromiumKioskOptions): string[] {
  const args = [
    `--app=${options.url}`,
    '--kiosk',
    '--noerrdialogs',
    '--disable-infobars',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-translate',
    '--disable-pinch',
    '--overscroll-history-navigation=0',
    '--disable-session-crashed-bubble',
    '--disable-features=TranslateUI,Translate',
    // The kiosk talks to its agent on 127.0.0.1 and to nothing else.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-default-apps',
    `--user-data-dir=${options.userDataDir}`,
  ];
  if (options.headless) args.push('--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage');
  if (options.remoteDebuggingPort !== undefined)
    args.push(`--remote-debugging-port=${options.remoteDebuggingPort}`);
  return args;
}

/** Whether a window can be shown: an X11 or Wayland display is set. */
export function hasDisplay(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** The first Chromium-family browser found, or undefined. */
export function findChromium(
  exists: (path: string) => boolean,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const candidates = [
    env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/snap/bin/chromium',
  ].filter((candidate): candidate is string => Boolean(candidate));
  return candidates.find(exists);
}
