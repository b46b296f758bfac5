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

function sizes(dir: string, extension: string): { raw: number; gzip: number } {
  const assets = path.join(dir, 'assets');
  let raw = 0;
  let gzip = 0;
  for (const name of readdirSync(assets).filter((file) => file.endsWith(extension))) {
    const body = readFileSync(path.join(assets, name));
    raw += body.length;
    gzip += gzipSync(body, { level: 9 }).length;
  }
  return { raw, gzip };
}

const kB = (bytes: number): string => `${(bytes / 1024).toFixed(1)} kB`;

const outRoot = await buildWebAppsToTemp();
const rows = webApps.map((app) => {
  const js = sizes(path.join(outRoot, app), '.js');
  const css = sizes(path.join(outRoot, app), '.css');
  return { app, js, css };
});
console.log('app     JS raw     JS gzip    CSS raw    CSS gzip');
for (const { app, js, css } of rows) {
  console.log(
    `${app.padEnd(7)} ${kB(js.raw).padStart(9)}  ${kB(js.gzip).padStart(9)}  ${kB(css.raw).padStart(9)}  ${kB(css.gzip).padStart(9)}`,
  );
}
rmSync(outRoot, { recursive: true, force: true });
const wallet = rows.find((row) => row.app === 'wallet');
if (wallet === undefined) throw new Error('the wallet was not built');
const within = wallet.js.gzip <= walletJsGzipBytesBudget;
console.log(
  `wallet JavaScript gzipped: ${kB(wallet.js.gzip)} of a ${kB(walletJsGzipBytesBudget)} budget: ${within ? 'within' : 'OVER'}`,
);
const jsonFile = process.env['BENCH_JSON'];
if (jsonFile !== undefined) {
  const benchRows = rows.map(({ app, js, css }) => ({
    app,
    jsRawKb: js.raw / 1024,
    jsGzipKb: js.gzip / 1024,
    cssGzipKb: css.gzip / 1024,
    targetJsGzipKb: app === 'wallet' ? walletJsGzipBytesBudget / 1024 : null,
    pass: app === 'wallet' ? within : null,
  }));
  writeFileSync(jsonFile, JSON.stringify(benchRows));
}
if (!within) process.exitCode = 1;
