import { CodedError } from '@cashin/shared';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebApp } from './vite.config.js';
import { webApps, webDistDir } from './vite.config.js';

/**
 * Serves the built web apps: /wallet, /till and /ops. Each app's files are read into memory once at start-up
 * (a few hundred kB in all), with a gzip copy, so a request never touches the disk. Any path under an app
 * that is not a file answers its index.html, so the apps' own routes survive a reload (SPA fallback).
 */
export interface WebPluginOptions {
  /** The folder `npm run build:web` filled, with one sub-folder per app. */
  readonly distDir?: string;
  readonly apps?: readonly WebApp[];
}

/**
 * The apps load only their own scripts, styles and images, call only this server, and may not be framed.
 * No inline script or style is allowed; the build emits none.
 */
export const webContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/**
 * The browser features each app may use: the wallet the camera, by the page itself only (it reads a kiosk
 * receipt's QR code); the till and the ops console nothing a page could ask for.
 */
export function webPermissionsPolicy(app: WebApp): string {
  return `camera=${app === 'wallet' ? '(self)' : '()'}, microphone=(), geolocation=(), payment=(), usb=()`;
}

/** Hashed asset names change with their content, so browsers may keep them for a year. */
const assetCacheControl = 'public, max-age=31536000, immutable';
/** index.html names the current assets: always revalidated, so a deployment shows on the next visit. */
const documentCacheControl = 'no-cache';
/** Files per app and bytes per file: a build that breaks these is a mistake, not something to serve. */
export const webFilesPerAppMax = 200;
export const webFileBytesMax = 2 * 1024 * 1024;

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};

interface StaticFile {
  readonly body: Buffer;
  readonly gzipped: Buffer | null;
  readonly type: string;
  readonly etag: string;
  readonly cacheControl: string;
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

function loadApp(appDir: string): Map<string, StaticFile> {
  const names = listFiles(appDir);
  if (names.length > webFilesPerAppMax)
    throw new Error(`${appDir} holds more than ${webFilesPerAppMax} files`);
  const files = new Map<string, StaticFile>();
  for (const name of names) {
    const body = readFileSync(path.join(appDir, name));
    if (body.length > webFileBytesMax) throw new Error(`${appDir}/${name} is over ${webFileBytesMax} bytes`);
    const extension = path.extname(name);
    const type = contentTypes[extension] ?? 'application/octet-stream';
    // Text compresses well; images are already compressed.
    const compressible = /^(text\/|application\/json|image\/svg)/.test(type);
    files.set(name, {
      body,
      gzipped: compressible ? gzipSync(body, { level: 9 }) : null,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      cacheControl: name.startsWith('assets/') ? assetCacheControl : documentCacheControl,
    });
  }
  return files;
}

function acceptsGzip(request: FastifyRequest): boolean {
  const header = request.headers['accept-encoding'];
  return typeof header === 'string' && /\bgzip\b/.test(header);
}

function send(request: FastifyRequest, reply: FastifyReply, file: StaticFile, app: WebApp): FastifyReply {
  void reply
    .header('content-security-policy', webContentSecurityPolicy)
    .header('permissions-policy', webPermissionsPolicy(app))
    .header('cache-control', file.cacheControl)
    .header('etag', file.etag)
    .header('vary', 'accept-encoding')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
  if (request.headers['if-none-match'] === file.etag) return reply.status(304).send();
  void reply.type(file.type);
  if (file.gzipped !== null && acceptsGzip(request)) {
    return reply.header('content-encoding', 'gzip').send(file.gzipped);
  }
  return reply.send(file.body);
}

/** The Fastify plugin. Register it on the app buildApp returns: `await app.register(webAppsPlugin, {})`. */
export async function webAppsPlugin(app: FastifyInstance, options: WebPluginOptions): Promise<void> {
  const distDir = options.distDir ?? webDistDir;
  for (const name of options.apps ?? webApps) {
    const appDir = path.join(distDir, name);
    const files = existsSync(path.join(appDir, 'index.html')) ? loadApp(appDir) : null;
    if (files === null) app.log.warn({ app: name, appDir }, 'web app not built: run npm run build:web');
    const index = files?.get('index.html');

    app.get(`/${name}`, { schema: { hide: true } }, async (_request, reply) =>
      reply.redirect(`/${name}/`, 301),
    );
    app.get(`/${name}/*`, { schema: { hide: true } }, async (request, reply) => {
      if (files === null || index === undefined) throw new CodedError('SERVICE_UNAVAILABLE');
      const rest = (request.params as { '*': string })['*'];
      const file = files.get(rest);
      if (file !== undefined) return send(request, reply, file, name);
      // A missing script or image is a 404, never a page of HTML the browser would try to run as one.
      if (rest.startsWith('assets/') || /\.[a-z0-9]+$/i.test(rest)) throw new CodedError('NOT_FOUND');
      return send(request, reply, index, name);
    });
  }
}
