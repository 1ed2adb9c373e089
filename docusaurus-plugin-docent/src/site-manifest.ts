/**
 * The site manifest: every doc page of a finished build with its exact URL and heading ids, so
 * `npm run ingest -- --site <dir>` cites the site's real URLs (baseUrl, slugs, number prefixes,
 * trailingSlash, versions, locales) instead of recomputing them from file names.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { LoadedPlugin, Props } from '@docusaurus/types';

export const MANIFEST_FILE = 'docent-manifest.json';

export interface ManifestHeading {
  depth: number;
  id: string;
  text: string;
}

export interface ManifestDoc {
  /** The source file, relative to the site folder, with forward slashes: `docs/intro.md`. */
  source: string;
  permalink: string;
  title: string;
  /** Docs plugin instance (`default` unless the site has several). */
  plugin_id: string;
  version: string;
  /** The version served at the docs root (the latest release, or the only version). */
  version_is_latest: boolean;
  unlisted: boolean;
  headings: ManifestHeading[];
}

export interface SiteManifest {
  format: 'docent-site-manifest';
  format_version: 1;
  site: { url: string; base_url: string; trailing_slash: boolean | null; locale: string; default_locale: string };
  /** Globs of source paths (relative to the site folder) the ingest leaves out, e.g. templates. */
  exclude: string[];
  docs: ManifestDoc[];
}

/** What the docs plugin loads (the fields read here), from `@docusaurus/plugin-content-docs`. */
interface LoadedDocsContent {
  loadedVersions: {
    versionName: string;
    isLast: boolean;
    docs: { source: string; permalink: string; title: string; unlisted?: boolean }[];
  }[];
}

export function buildSiteManifest(props: Pick<Props, 'siteDir' | 'outDir' | 'baseUrl' | 'siteConfig' | 'i18n' | 'plugins'>, exclude: string[]): SiteManifest {
  const { siteConfig } = props;
  const docs: ManifestDoc[] = [];
  for (const plugin of props.plugins.filter(isDocsPlugin)) {
    const content = plugin.content as LoadedDocsContent | undefined;
    for (const version of content?.loadedVersions ?? []) {
      for (const doc of version.docs) {
        const permalink = applyTrailingSlash(doc.permalink, siteConfig.trailingSlash, props.baseUrl);
        const html = readBuiltPage(props.outDir, props.baseUrl, permalink);
        docs.push({
          source: toSitePath(doc.source, props.siteDir),
          permalink,
          title: doc.title,
          plugin_id: (plugin.options as { id?: string }).id ?? 'default',
          version: version.versionName,
          version_is_latest: version.isLast,
          unlisted: doc.unlisted === true,
          headings: html === undefined ? [] : articleHeadings(html),
        });
      }
    }
  }
  return {
    format: 'docent-site-manifest',
    format_version: 1,
    site: {
      url: siteConfig.url,
      base_url: props.baseUrl,
      trailing_slash: siteConfig.trailingSlash ?? null,
      locale: props.i18n.currentLocale,
      default_locale: props.i18n.defaultLocale,
    },
    exclude,
    docs,
  };
}

function isDocsPlugin(plugin: LoadedPlugin): boolean {
  return plugin.name === 'docusaurus-plugin-content-docs';
}

/** `@site/docs/intro.md` (Docusaurus's alias for the site folder) → `docs/intro.md`. */
function toSitePath(source: string, siteDir: string): string {
  if (source.startsWith('@site/')) return source.slice('@site/'.length);
  return relative(siteDir, source).split(sep).join('/');
}

/** Docusaurus's rule: unset leaves the URL alone; never touch `/` or the baseUrl itself. */
function applyTrailingSlash(path: string, trailingSlash: boolean | undefined, baseUrl: string): string {
  if (trailingSlash === undefined || path === '/' || path === baseUrl) return path;
  const bare = path.endsWith('/') ? path.slice(0, -1) : path;
  return trailingSlash ? `${bare}/` : bare;
}

/** The HTML file a permalink is served from: `x/index.html`, or `x.html` under `trailingSlash: false`. */
function builtPageFile(outDir: string, baseUrl: string, permalink: string): string | undefined {
  const relativePath = decodeURI(permalink.startsWith(baseUrl) ? permalink.slice(baseUrl.length) : permalink.replace(/^\//, ''));
  const candidates = relativePath === '' || relativePath.endsWith('/') ? [`${relativePath}index.html`] : [`${relativePath}.html`, `${relativePath}/index.html`];
  return candidates.map((candidate) => join(outDir, candidate)).find((file) => existsSync(file));
}

/** Where a citation URL (`/base/docs/page#id`) leads in a build: its page with that element id, or what is missing. */
export function citationLanding(outDir: string, baseUrl: string, url: string): 'lands' | 'no page' | 'no id' {
  const [path = '', anchor] = url.split('#');
  const html = readBuiltPage(outDir, baseUrl, path);
  if (html === undefined) return 'no page';
  return anchor === undefined || html.includes(`id="${anchor}"`) ? 'lands' : 'no id';
}

function readBuiltPage(outDir: string, baseUrl: string, permalink: string): string | undefined {
  const file = builtPageFile(outDir, baseUrl, permalink);
  return file === undefined ? undefined : readFileSync(file, 'utf8');
}

const HEADING = /<h([1-6])\b[^>]*?\bid="([^"]+)"[^>]*>([\s\S]*?)<\/h\1>/g;

/** The headings of the page's article, in order, with the ids the built page gives them. */
export function articleHeadings(html: string): ManifestHeading[] {
  const start = html.indexOf('<article');
  const end = html.lastIndexOf('</article>');
  const article = start === -1 ? html : html.slice(start, end === -1 ? undefined : end);
  return [...article.matchAll(HEADING)].map(([, depth, id, inner]) => ({
    depth: Number(depth),
    id: decodeEntities(id ?? ''),
    text: decodeEntities((inner ?? '').replace(/<[^>]*>/g, '')).replace(/\u200b/g, '').replace(/\s+/g, ' ').trim(),
  }));
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi, (entity, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' }[lower] ?? entity;
  });
}
