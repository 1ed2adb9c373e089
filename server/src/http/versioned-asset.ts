import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A file served from memory under a content hash: the widget script, the site's stylesheet. */
export interface VersionedAsset {
  body: Buffer;
  /** The first 12 hex digits of the body's SHA-256: its ETag and its versioned URL. */
  hash: string;
  contentType: string;
}

export function versionedAsset(body: Buffer, contentType: string): VersionedAsset {
  return { body, hash: createHash('sha256').update(body).digest('hex').slice(0, 12), contentType };
}

/** Revalidated every few minutes, so a new release reaches readers soon. */
const REVALIDATE = 'public, max-age=300, must-revalidate';
/** Only for URLs that name the content's hash: that content never changes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Sends an asset with its ETag (304 when the client has it already) and a cache policy: for a
 * year when the URL carries the hash (`immutable`), otherwise revalidated every five minutes.
 */
export function sendVersionedAsset(
  request: FastifyRequest,
  reply: FastifyReply,
  asset: VersionedAsset,
  options: { immutable: boolean; headers?: Record<string, string> },
): FastifyReply {
  reply.header('cache-control', options.immutable ? IMMUTABLE : REVALIDATE).header('etag', `"${asset.hash}"`);
  for (const [name, value] of Object.entries(options.headers ?? {})) reply.header(name, value);
  if (request.headers['if-none-match'] === `"${asset.hash}"`) return reply.code(304).send();
  return reply.header('content-type', asset.contentType).send(asset.body);
}
