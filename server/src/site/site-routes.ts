/**
 * Serves a course as a readable website, so `npm start` shows the product at once: the home page
 * with the contents at `/`, each chapter at the route its citations link to, and one stylesheet.
 * Every page embeds the assistant widget.
 */
import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { sendVersionedAsset, versionedAsset } from '../http/versioned-asset.js';
import { loadCourseSite, type CourseSite } from './course-site.js';
import { chapterPage, homePage, notFoundPage, type CourseIntroduction, type LayoutAssets } from './page-layout.js';

export interface SiteRoutesOptions extends CourseIntroduction {
  /** A Docusaurus docs folder: `<module>/<chapter>.md(x)` with `_category_.json` per module. */
  docsDir: string;
  /** The URL prefix of the chapter pages; must be the one the course was ingested with. */
  routeBase: string;
}

/**
 * Scripts only from this server, none inline (course pages are sanitized too: defence in depth).
 * Inline styles are allowed because the widget styles its shadow DOM with `<style>` elements;
 * `connect-src 'self'` lets it reach this server's API.
 */
export const SITE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' https: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

const STYLESHEET = versionedAsset(readFileSync(new URL('./site.css', import.meta.url)), 'text/css; charset=utf-8');

export const siteRoutes: FastifyPluginAsync<SiteRoutesOptions> = async (app, options) => {
  const course: CourseIntroduction = { title: options.title, intro: options.intro };
  const assets: LayoutAssets = { stylesheetHref: `/site.css?v=${STYLESHEET.hash}` };
  const routeBase = options.routeBase.replace(/\/+$/, '');

  // Rendered on first request, then kept: the course is small, and tests that never open a page
  // do not pay for it. A failed load is retried on the next request.
  let loading: Promise<CourseSite> | undefined;
  const site = (): Promise<CourseSite> => {
    loading ??= loadCourseSite(options.docsDir, options.routeBase).then(
      (loaded) => {
        for (const failure of loaded.failures) app.log.warn({ file: failure.file, line: failure.line }, `course site: ${failure.message}`);
        return loaded;
      },
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };

  app.get('/', { schema: { hide: true } }, async (_request, reply) => sendPage(reply, 200, homePage(await site(), course, assets)));

  // The pages link the stylesheet with its hash, so that URL can be cached for good.
  app.get<{ Querystring: { v?: string } }>('/site.css', { schema: { hide: true } }, async (request, reply) =>
    sendVersionedAsset(request, reply, STYLESHEET, { immutable: request.query.v === STYLESHEET.hash, headers: { 'x-content-type-options': 'nosniff' } }),
  );

  /** A browser gets a page with the contents to move on from; an API client the usual JSON error. */
  const sendNotFound = (request: FastifyRequest, reply: FastifyReply, loaded: CourseSite, path: string) => {
    const wantsHtml = (request.headers.accept ?? '').includes('text/html');
    if (!wantsHtml || path.startsWith('/api/')) throw new AppError('not_found', `Nothing was found at ${request.method} ${path}.`);
    return sendPage(reply, 404, notFoundPage(loaded, course, assets, safeDecode(path) ?? path));
  };

  const serveChapter = async (request: FastifyRequest, reply: FastifyReply) => {
    const loaded = await site();
    const [path = '/', query] = splitOnce(request.url, '?');
    const canonical = path.length > 1 ? path.replace(/\/+$/, '') : path;
    const chapter = loaded.chaptersByRoute.get(safeDecode(canonical) ?? '');
    if (chapter) {
      // `/docs/x/` is the same page as `/docs/x`: one URL per page, as Docusaurus does with `trailingSlash: false`.
      if (canonical !== path) return reply.redirect(`${canonical}${query === undefined ? '' : `?${query}`}`, 301);
      return sendPage(reply, 200, chapterPage(loaded, course, assets, chapter));
    }
    // The course has no page of its own at the bare prefix: its contents are on the home page.
    if (canonical === (routeBase === '' ? '/' : routeBase)) return reply.redirect('/', 302);
    return sendNotFound(request, reply, loaded, path);
  };
  app.get(routeBase === '' ? '/*' : routeBase, { schema: { hide: true } }, serveChapter);
  if (routeBase !== '') app.get(`${routeBase}/*`, { schema: { hide: true } }, serveChapter);

};

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', SITE_CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'strict-origin-when-cross-origin')
    .header('cache-control', 'no-cache')
    .send(html);
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function safeDecode(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}
