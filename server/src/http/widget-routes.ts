import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { sendVersionedAsset, versionedAsset, type VersionedAsset } from './versioned-asset.js';

export const WIDGET_DIST_DIR = fileURLToPath(new URL('../../../widget/dist/', import.meta.url));

/** The built widget, read once; `undefined` when it has not been built (`npm run build:widget`). */
export interface WidgetBundle {
  script: VersionedAsset | undefined;
  module: VersionedAsset | undefined;
}

export function loadWidgetBundle(distDir: string = WIDGET_DIST_DIR): WidgetBundle {
  const read = (name: string, contentType: string): VersionedAsset | undefined => {
    const path = `${distDir}${name}`;
    return existsSync(path) ? versionedAsset(readFileSync(path), contentType) : undefined;
  };
  return { script: read('docent.js', 'text/javascript; charset=utf-8'), module: read('docent.mjs', 'text/javascript; charset=utf-8') };
}

/** The script tag's `src` that never goes stale: the content-hashed name, cacheable for a year. */
export function widgetScriptPath(bundle: WidgetBundle): string {
  return bundle.script ? `/widget/docent.${bundle.script.hash}.js` : '/widget/docent.js';
}

/**
 * Serves the widget to any site (it is meant to be embedded elsewhere): `/widget/docent.js` and
 * `/widget/docent.mjs` revalidate every few minutes so a new release reaches readers soon;
 * `/widget/docent.<hash>.js` is immutable and cached for a year.
 */
export const widgetRoutes: FastifyPluginAsync<{ bundle: WidgetBundle }> = async (app, { bundle }) => {
  if (!bundle.script) app.log.warn('the widget is not built: /widget/docent.js answers 404 (run npm run build:widget)');

  // Meant to be embedded on other sites.
  const headers = { 'cross-origin-resource-policy': 'cross-origin' };
  const send = (request: FastifyRequest, reply: FastifyReply, file: VersionedAsset | undefined, immutable: boolean) => {
    if (!file) throw new AppError('not_found', 'The widget is not built on this server (run npm run build:widget).');
    return sendVersionedAsset(request, reply, file, { immutable, headers });
  };

  app.get('/widget/docent.js', { schema: { hide: true } }, async (request, reply) => send(request, reply, bundle.script, false));
  app.get('/widget/docent.mjs', { schema: { hide: true } }, async (request, reply) => send(request, reply, bundle.module, false));
  app.get<{ Params: { hash: string } }>('/widget/docent.:hash.js', { schema: { hide: true } }, async (request, reply) => {
    if (request.params.hash !== bundle.script?.hash) throw new AppError('not_found', 'This version of the widget is not served here.');
    return send(request, reply, bundle.script, true);
  });
};
