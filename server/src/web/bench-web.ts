import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildWebAppsToTemp } from './build-web.js';
import { webApps } from './vite.config.js';

/**
 * `npm run bench:web`: builds the three apps with their real Vite configs and prints, per app, the raw and
 * gzipped bytes of its JavaScript and CSS. The wallet's JavaScript must stay under the budget below: it is
 * what a shopper downloads on a cheap phone over slow data.
 */
export const walletJsGzipBytesBudget = 100 * 1024;

interface Sizes {
  raw: number;
  gzip: number;
}

/**
 * Bytes of an app's files with `extension`, all of them and those its page loads at once (named in its
 * index.html); the rest are chunks the app fetches only when a screen needs them (the QR decoder).
 */
function sizes(dir: string, extension: string): Sizes & { firstLoad: Sizes } {
  const assets = path.join(dir, 'assets');
  const page = readFileSync(path.join(dir, 'index.html'), 'utf8');
  const total = { raw: 0, gzip: 0 };
  const firstLoad = { raw: 0, gzip: 0 };
  for (const name of readdirSync(assets).filter((file) => file.endsWith(extension))) {
    const body = readFileSync(path.join(assets, name));
    const gzip = gzipSync(body, { level: 9 }).length;
    total.raw += body.length;
    total.gzip += gzip;
    if (page.includes(`/assets/${name}`)) {
      firstLoad.raw += body.length;
      firstLoad.gzip += gzip;
    }
  }
  return { ...total, firstLoad };
}

const kB = (bytes: number): string => `${(bytes / 1024).toFixed(1)} kB`;

const outRoot = await buildWebAppsToTemp();
const rows = webApps.map((app) => {
  const js = sizes(path.join(outRoot, app), '.js');
  const css = sizes(path.join(outRoot, app), '.css');
  return { app, js, css };
});
console.log('app     JS raw     JS gzip    of it at first load  CSS raw    CSS gzip');
for (const { app, js, css } of rows) {
  console.log(
    `${app.padEnd(7)} ${kB(js.raw).padStart(9)}  ${kB(js.gzip).padStart(9)}  ${kB(js.firstLoad.gzip).padStart(19)}  ${kB(css.raw).padStart(9)}  ${kB(css.gzip).padStart(9)}`,
  );
}
rmSync(outRoot, { recursive: true, force: true });
const wallet = rows.find((row) => row.app === 'wallet');
if (wallet === undefined) throw new Error('the wallet was not built');
// The budget is for all of the wallet's JavaScript, on-demand chunks included.
const within = wallet.js.gzip <= walletJsGzipBytesBudget;
console.log(
  `wallet JavaScript gzipped: ${kB(wallet.js.gzip)} of a ${kB(walletJsGzipBytesBudget)} budget: ${within ? 'within' : 'OVER'} ` +
    `(${kB(wallet.js.firstLoad.gzip)} when the wallet opens, the rest only when a screen asks for it)`,
);
const jsonFile = process.env['BENCH_JSON'];
if (jsonFile !== undefined) {
  const benchRows = rows.map(({ app, js, css }) => ({
    app,
    jsRawKb: js.raw / 1024,
    jsGzipKb: js.gzip / 1024,
    jsFirstLoadGzipKb: js.firstLoad.gzip / 1024,
    cssGzipKb: css.gzip / 1024,
    targetJsGzipKb: app === 'wallet' ? walletJsGzipBytesBudget / 1024 : null,
    pass: app === 'wallet' ? within : null,
  }));
  writeFileSync(jsonFile, JSON.stringify(benchRows));
}
if (!within) process.exitCode = 1;
