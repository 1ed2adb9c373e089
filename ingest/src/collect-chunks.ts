/**
 * Reads what a course publishes into chunks with their citation URLs: the documents of a docs
 * folder (URLs by Docusaurus's rules) or of a built site (URLs from its manifest), less drafts,
 * empty pages and what the author excludes. Nothing is embedded or written here.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { chunkDocument, type CourseChunk } from './chunk-document.js';
import type { ReadImport } from './mdx-partials.js';
import type { RouteOptions } from './docusaurus-route.js';
import { DocumentParseError, parseDocument } from './parse-document.js';
import { docsToIngest, withSiteRoutes, type BuiltSite, type ManifestDoc } from './site-manifest.js';

/** The chunk record stores keep (structurally the server's catalog chunk). */
export interface IdentifiedChunk extends Omit<CourseChunk, 'position'> {
  id: string;
  position: number;
}

/**
 * What to ingest: a docs folder, whose URLs are computed by Docusaurus's rules from `routeBase`
 * (`/docs` by default) and `trailingSlash`; or a built site, whose manifest gives the exact URLs.
 * `exclude` globs match paths as stored: relative to the docs folder, or with a site to the site
 * folder (`docs/templates/**`); `**` patterns match in both.
 */
export type IngestSource = ((RouteOptions & { docsDir: string }) | { site: BuiltSite }) & { exclude?: readonly string[] | undefined };

export interface FileFailure {
  file: string;
  line: number | undefined;
  message: string;
}

export interface SkippedFile {
  file: string;
  reason: 'draft' | 'empty' | 'excluded';
}

export interface CollectedChunks {
  /** Documents read (skipped ones not counted). */
  files: number;
  chunks: IdentifiedChunk[];
  failed: FileFailure[];
  skipped: SkippedFile[];
}

export async function collectChunks(source: IngestSource): Promise<CollectedChunks> {
  const listed = 'site' in source ? siteDocuments(source.site) : await folderDocuments(source.docsDir, source);
  const patterns = [...(source.exclude ?? []), ...('site' in source ? source.site.manifest.exclude : [])];
  const excluded = patterns.length === 0 ? () => false : picomatch(patterns, { dot: true });
  const skipped: SkippedFile[] = listed.filter((document) => excluded(document.docPath)).map((document) => ({ file: document.docPath, reason: 'excluded' }));
  const files = listed.filter((document) => !excluded(document.docPath));
  const parsed = await parseAll(files);
  return { files: files.length - parsed.skipped.length, chunks: parsed.chunks, failed: parsed.failed, skipped: [...skipped, ...parsed.skipped] };
}

/** Markdown and MDX files, skipping what Docusaurus skips: `_partials`, hidden files, node_modules. */
export async function listDocuments(docsDir: string): Promise<string[]> {
  const entries = await readdir(docsDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.mdx?$/.test(entry.name))
    .map((entry) => relative(docsDir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => !path.split('/').some((part) => part.startsWith('_') || part.startsWith('.') || part === 'node_modules'))
    .sort();
}

/** One document to ingest: its path as stored (`doc_path`), its file, and how its URLs are found. */
interface DocumentFile {
  docPath: string;
  file: string;
  routes: RouteOptions | ManifestDoc;
}

async function folderDocuments(docsDir: string, routes: RouteOptions): Promise<DocumentFile[]> {
  const routeOptions: RouteOptions = { routeBase: routes.routeBase, trailingSlash: routes.trailingSlash };
  return (await listDocuments(docsDir)).map((docPath) => ({ docPath, file: join(docsDir, docPath), routes: routeOptions }));
}

/** A built site's pages, by source path relative to the site folder (unique across versions). */
function siteDocuments(site: BuiltSite): DocumentFile[] {
  return docsToIngest(site).map((doc) => ({ docPath: doc.source, file: join(site.siteDir, doc.source), routes: doc }));
}

async function parseAll(files: readonly DocumentFile[]): Promise<Omit<CollectedChunks, 'files'>> {
  const chunks: IdentifiedChunk[] = [];
  const failed: FileFailure[] = [];
  const skipped: SkippedFile[] = [];
  for (const { docPath: file, file: path, routes } of files) {
    try {
      const source = await readFile(path, 'utf8');
      const readImport = partialsBeside(path);
      const document = 'permalink' in routes ? withSiteRoutes(parseDocument(source, file, { routeBase: '/' }, readImport), routes) : parseDocument(source, file, routes, readImport);
      // A built site has already left its drafts out; a folder's are skipped here, never cited.
      if (document.frontMatter.draft === true) {
        skipped.push({ file, reason: 'draft' });
        continue;
      }
      const documentChunks = chunkDocument(document);
      if (documentChunks.length === 0) skipped.push({ file, reason: 'empty' });
      chunks.push(...withStableIds(documentChunks));
    } catch (error) {
      if (error instanceof DocumentParseError) failed.push({ file, line: error.line, message: error.message });
      else failed.push({ file, line: undefined, message: `${file}: cannot be read: ${(error as Error).message}` });
    }
  }
  return { chunks, failed, skipped };
}

/** Reads the partials a page imports by relative path (`./_install.mdx`), and theirs in turn. */
function partialsBeside(file: string): ReadImport {
  return (specifier) => {
    const partial = resolve(dirname(file), specifier);
    try {
      return { source: readFileSync(partial, 'utf8'), readImport: partialsBeside(partial) };
    } catch {
      return undefined;
    }
  };
}

/**
 * A chunk's id names its place, not its content: the n-th chunk of a section keeps its id when the
 * text changes (an update, re-embedded) and a new section gets a new id (an addition).
 */
function withStableIds(chunks: readonly CourseChunk[]): IdentifiedChunk[] {
  const ordinalByUrl = new Map<string, number>();
  return chunks.map((chunk) => {
    const ordinal = ordinalByUrl.get(chunk.url) ?? 0;
    ordinalByUrl.set(chunk.url, ordinal + 1);
    return { ...chunk, id: uuidFrom(`${chunk.doc_path}#${chunk.anchor}#${ordinal}`) };
  });
}

/** A deterministic UUID (version 5 layout) from a name; Qdrant and Postgres both accept it. */
function uuidFrom(name: string): string {
  const bytes = createHash('sha1').update(`docent-chunk:${name}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
