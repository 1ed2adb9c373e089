/**
 * Brings a store up to date with a Docusaurus docs folder: parses every document, embeds only
 * chunks that are new or changed (by content hash), removes chunks of deleted sections and files,
 * and leaves the previous content of a file that fails to parse untouched.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { chunkDocument, embeddingInput, type CourseChunk } from './chunk-document.js';
import type { RouteOptions } from './docusaurus-route.js';
import { DocumentParseError, parseDocument } from './parse-document.js';
import { docsToIngest, withSiteRoutes, type BuiltSite, type ManifestDoc } from './site-manifest.js';

/** The chunk record stores keep (structurally the server's catalog chunk). */
export interface IdentifiedChunk extends Omit<CourseChunk, 'position'> {
  id: string;
  position: number;
}

/** What ingestion needs from the relational catalog. */
export interface CatalogPort {
  hashes(): Promise<Map<string, { docPath: string; contentHash: string }>>;
  upsert(chunks: readonly IdentifiedChunk[]): Promise<void>;
  delete(ids: readonly string[]): Promise<void>;
  /** Recomputes statistics that depend on all chunks (term frequencies for lexical search). */
  refreshTermStatistics(): Promise<void>;
}

/** What ingestion needs from the vector store. */
export interface VectorStorePort {
  prepare(embedder: { id: string; dimensions: number }): Promise<void>;
  upsert(points: readonly { id: string; vector: Float32Array; payload: Omit<IdentifiedChunk, 'id' | 'position'> }[]): Promise<void>;
  delete(ids: readonly string[]): Promise<void>;
  finishBulkLoad(): Promise<void>;
  reset(): Promise<void>;
  count(): Promise<number>;
}

export interface EmbedderPort {
  id: string;
  dimensions: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/**
 * What to ingest: a docs folder, whose URLs are computed by Docusaurus's rules from `routeBase`
 * (`/docs` by default) and `trailingSlash`; or a built site, whose manifest gives the exact URLs.
 */
export type IngestSource = (RouteOptions & { docsDir: string }) | { site: BuiltSite };

export type IngestOptions = IngestSource & {
  reset: boolean;
  dryRun: boolean;
  /** Called as chunks are embedded: done of total. */
  onProgress?: (done: number, total: number) => void;
  /** Stops between batches (on shutdown); what was written stays consistent and a rerun resumes. */
  signal?: AbortSignal;
};

export interface FileFailure {
  file: string;
  line: number | undefined;
  message: string;
}

export interface IngestReport {
  files: number;
  failed: FileFailure[];
  chunks: number;
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  seconds: number;
  dry_run: boolean;
}

/**
 * Chunks per embed-and-write step: one request's worth for a remote embedder, and the granularity
 * at which an abort (shutdown) takes effect. Keeping the event loop free while a local model
 * computes is the embedder's job (see the bundled embedder).
 */
const EMBED_BATCH = 32;

export async function ingestCourse(
  options: IngestOptions,
  ports: { catalog: CatalogPort; store: VectorStorePort; embedder: EmbedderPort },
): Promise<IngestReport> {
  const started = performance.now();
  const { files, chunks, failed } = await collectChunks(options);

  // A reset rebuilds the vectors but leaves the catalog in place until each row is rewritten: readers
  // keep lexical search and citations meanwhile (and, on Qdrant, the previous vectors too).
  if (options.reset && !options.dryRun) await ports.store.reset();
  if (!options.dryRun) await ports.store.prepare({ id: ports.embedder.id, dimensions: ports.embedder.dimensions });

  const known = await ports.catalog.hashes();
  // The catalog says what is ingested, but the vectors live elsewhere: a new or restored Qdrant
  // cluster, or a renamed collection, is empty while the catalog is full. Then nothing is
  // "unchanged": every chunk is embedded again, or dense search would stay empty for good.
  const vectorsMissing = !options.reset && known.size > 0 && (await ports.store.count().catch(() => known.size)) === 0;
  const existing = options.reset || vectorsMissing ? new Map<string, { docPath: string; contentHash: string }>() : known;
  // On a reset even a failed file's old chunks go: the rebuilt vectors no longer hold them.
  const failedDocs = new Set(options.reset ? [] : failed.map((failure) => failure.file));
  const toEmbed: IdentifiedChunk[] = [];
  let updated = 0;
  for (const chunk of chunks) {
    const previous = existing.get(chunk.id);
    if (previous?.contentHash === chunk.content_hash) continue;
    if (previous) updated += 1;
    toEmbed.push(chunk);
  }
  const current = new Set(chunks.map((chunk) => chunk.id));
  // A file that failed keeps its previous chunks: a typo must not empty a chapter from search.
  const removed = [...known].filter(([id, { docPath }]) => !current.has(id) && !failedDocs.has(docPath)).map(([id]) => id);

  if (!options.dryRun) {
    for (let start = 0; start < toEmbed.length; start += EMBED_BATCH) {
      options.signal?.throwIfAborted();
      const batch = toEmbed.slice(start, start + EMBED_BATCH);
      const vectors = await ports.embedder.embed(batch.map(embeddingInput));
      await ports.store.upsert(batch.map(({ id, position: _position, ...payload }, index) => ({ id, vector: vectors[index] as Float32Array, payload })));
      await ports.catalog.upsert(batch);
      options.onProgress?.(Math.min(start + EMBED_BATCH, toEmbed.length), toEmbed.length);
      // Database calls can resolve as microtasks; only a macrotask lets I/O and signals through.
      await setImmediate();
    }
    await ports.store.delete(removed);
    await ports.catalog.delete(removed);
    if (toEmbed.length > 0) await ports.store.finishBulkLoad();
    if (toEmbed.length > 0 || removed.length > 0) await ports.catalog.refreshTermStatistics();
  }

  return {
    files,
    failed,
    chunks: chunks.length,
    added: toEmbed.length - updated,
    updated,
    removed: removed.length,
    unchanged: chunks.length - toEmbed.length,
    seconds: Math.round((performance.now() - started) / 10) / 100,
    dry_run: options.dryRun,
  };
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

/** Every chunk of a source with its URL, as ingest stores it; nothing is embedded or written. */
export async function collectChunks(source: IngestSource): Promise<{ files: number; chunks: IdentifiedChunk[]; failed: FileFailure[] }> {
  const files = 'site' in source ? siteDocuments(source.site) : await folderDocuments(source.docsDir, source);
  return { files: files.length, ...(await parseAll(files)) };
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

async function parseAll(files: readonly DocumentFile[]): Promise<{ chunks: IdentifiedChunk[]; failed: FileFailure[] }> {
  const chunks: IdentifiedChunk[] = [];
  const failed: FileFailure[] = [];
  for (const { docPath: file, file: path, routes } of files) {
    try {
      const source = await readFile(path, 'utf8');
      if ('permalink' in routes) {
        chunks.push(...withStableIds(chunkDocument(withSiteRoutes(parseDocument(source, file, { routeBase: '/' }), routes))));
        continue;
      }
      const document = parseDocument(source, file, routes);
      if (document.frontMatter.draft === true) continue;
      chunks.push(...withStableIds(chunkDocument(document)));
    } catch (error) {
      if (error instanceof DocumentParseError) failed.push({ file, line: error.line, message: error.message });
      else failed.push({ file, line: undefined, message: `${file}: cannot be read: ${(error as Error).message}` });
    }
  }
  return { chunks, failed };
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
