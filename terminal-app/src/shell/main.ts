// The Electron main process: one kiosk window and a supervised agent, nothing else. Everything with logic
// in it lives in plain modules beside this one and is tested under Node; this file only wires them to
// Electron, whose binary is not available on the build machines.
import { spawn } from 'node:child_process';
import { BrowserWindow, app, powerSaveBlocker } from 'electron';
import { realClock } from '@cashin/shared';
import { AgentSupervisor } from './agent-supervisor.js';
import { RendererWatchdog } from './renderer-watchdog.js';
import { kioskUiUrl, parseShellConfig } from './shell-config.js';
import { isAllowedNavigation, kioskWindowOptions } from './window-options.js';

const config = parseShellConfig(process.argv.slice(1), process.env);
const clock = realClock();
const uiUrl = kioskUiUrl(config);

const supervisor = new AgentSupervisor({
  clock,
  restartBackoffMsMin: config.restartBackoffMsMin,
  restartBackoffMsMax: config.restartBackoffMsMax,
  stableRunMs: config.stableRunMs,
  stopGraceMs: config.stopGraceMs,
  spawnAgent: () => {
    const child = spawn(config.nodePath, [config.agentEntry, ...config.agentArgs], {
      stdio: 'inherit',
      env: { ...process.env, KIOSK_BRIDGE_TOKEN: config.bridgeToken, KIOSK_UI_PORT: String(config.uiPort) },
    });
    return {
      onExit: (listener) => child.once('exit', listener),
      kill: (signal) => child.kill(signal),
    };
  },
  onEvent: (event) => console.log(JSON.stringify({ component: 'shell', ...event })),
});
const watchdog = new RendererWatchdog(
  clock,
  config.rendererReloadsPerWindowMax,
  config.rendererReloadWindowMs,
);

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(kioskWindowOptions({ kiosk: config.kiosk }));
  const contents = window.webContents;
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, uiUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, uiUrl)) event.preventDefault();
  });
  void contents.setVisualZoomLevelLimits(1, 1);
  contents.on('render-process-gone', () => {
    if (watchdog.onRendererGone() === 'reload') contents.reload();
    else void window.loadURL(`data:text/html,<h1 style="font:48px sans-serif">Out of service</h1>`);
  });
  contents.on('unresponsive', () => contents.forcefullyCrashRenderer());
  // The agent may still be starting; retry until its UI answers.
  contents.on('did-fail-load', () => clock.setTimeout(() => void window.loadURL(uiUrl), 1_000));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(uiUrl);
  return window;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('web-contents-created', (_, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  void app.whenReady().then(() => {
    powerSaveBlocker.start('prevent-display-sleep');
    supervisor.start();
    createWindow();
  });
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
  // Quitting waits for the agent to close its journal cleanly (stop() also cancels a pending restart).
  let agentStopped = false;
  app.on('before-quit', (event) => {
    if (agentStopped) return;
    event.preventDefault();
    void supervisor.stop().then(() => {
      agentStopped = true;
      app.quit();
    });
  });
}
