import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { AppError } from '../errors.js';

export const WIDGET_DIST_DIR = fileURLToPath(new URL('../../../widget/dist/', import.meta.url));

interface WidgetFile {
  body: Buffer;
  hash: string;
  contentType: string;
}

/** The built widget, read once; `undefined` when it has not been built (`npm run build:widget`). */
export interface WidgetBundle {
  script: WidgetFile | undefined;
  module: WidgetFile | undefined;
}

export function loadWidgetBundle(distDir: string = WIDGET_DIST_DIR): WidgetBundle {
  const read = (name: string, contentType: string): WidgetFile | undefined => {
    const path = `${distDir}${name}`;
    if (!existsSync(path)) return undefined;
    const body = readFileSync(path);
    return { body, hash: createHash('sha256').update(body).digest('hex').slice(0, 12), contentType };
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

  const send = (reply: FastifyReply, file: WidgetFile | undefined, cacheControl: string) => {
    if (!file) throw new AppError('not_found', 'The widget is not built on this server (run npm run build:widget).');
    return reply
      .header('content-type', file.contentType)
      .header('cache-control', cacheControl)
      .header('etag', `"${file.hash}"`)
      .header('cross-origin-resource-policy', 'cross-origin')
      .send(file.body);
  };
  const SHORT = 'public, max-age=300, must-revalidate';

  app.get('/widget/docent.js', { schema: { hide: true } }, async (request, reply) => {
    if (bundle.script && request.headers['if-none-match'] === `"${bundle.script.hash}"`) return reply.code(304).header('cache-control', SHORT).send();
    return send(reply, bundle.script, SHORT);
  });
  app.get('/widget/docent.mjs', { schema: { hide: true } }, async (_request, reply) => send(reply, bundle.module, SHORT));
  app.get<{ Params: { hash: string } }>('/widget/docent.:hash.js', { schema: { hide: true } }, async (request, reply) => {
    if (request.params.hash !== bundle.script?.hash) throw new AppError('not_found', 'This version of the widget is not served here.');
    return send(reply, bundle.script, 'public, max-age=31536000, immutable');
  });
};
