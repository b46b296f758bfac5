import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import type { AppDeps } from '../app.js';
import type { Config } from '../config.js';
import type { WebPluginOptions } from './web-plugin.js';
import { webAppsPlugin } from './web-plugin.js';

/**
 * The server with the web apps, until app.ts registers the plugin itself: buildApp, then the plugin, on
 * the same instance (buildApp does not call ready, so more routes may still be added).
 */
export async function buildAppWithWeb(
  config: Config,
  deps: AppDeps,
  web: WebPluginOptions = {},
): Promise<FastifyInstance> {
  const app = await buildApp(config, deps);
  await app.register(webAppsPlugin, web);
  return app;
}
