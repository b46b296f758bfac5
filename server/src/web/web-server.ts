import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import type { AppDeps } from '../app.js';
import type { Config } from '../config.js';
import type { WebPluginOptions } from './web-plugin.js';

/** The server with the web apps served from a given folder (tests build the apps into a temp folder). */
export async function buildAppWithWeb(
  config: Config,
  deps: AppDeps,
  web: WebPluginOptions = {},
): Promise<FastifyInstance> {
  return buildApp(config, { ...deps, web });
}
