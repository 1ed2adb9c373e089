/**
 * A stand-in Qdrant for the adapter's contract tests, over real HTTP. Every request is validated
 * against Qdrant's official OpenAPI spec (../shared/contracts/qdrant-openapi.json) and every
 * answer is checked against the spec before it is sent; anything off-contract is recorded in
 * `violations` (and answered 400 like Qdrant would) so tests can assert there were none.
 * Implements, in memory, just what Docent uses: collections, aliases, points, query, count.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { OpenAPIBackend, type Context, type Document } from 'openapi-backend';
import { withQdrantFormats } from './qdrant-formats.js';

const SPEC_FILE = fileURLToPath(new URL('../../../../shared/contracts/qdrant-openapi.json', import.meta.url));

interface StoredPoint {
  vector: number[];
  payload: Record<string, unknown>;
}
interface Collection {
  size: number;
  distance: string;
  points: Map<string, StoredPoint>;
  payloadIndexes: Map<string, string>;
}

export interface FakeQdrant {
  url: string;
  apiKey: string;
  violations: string[];
  collections: Map<string, Collection>;
  aliases: Map<string, string>;
  close(): Promise<void>;
  /** Listens again on the same port after `close()`, with the same collections (an outage that ends). */
  reopen(): Promise<void>;
  /** While on, requests are accepted and never answered (a hung server); turning it off answers them 503. */
  stall(on: boolean): void;
}

type Reply = { status: number; body: unknown };

export async function startFakeQdrant(apiKey = 'test-qdrant-key'): Promise<FakeQdrant> {
  const violations: string[] = [];
  const collections = new Map<string, Collection>();
  const aliases = new Map<string, string>();
  const spec = normalizeNullable(JSON.parse(readFileSync(SPEC_FILE, 'utf8'))) as Document;
  const api = new OpenAPIBackend({ definition: spec, strict: false, validate: true, customizeAjv: withQdrantFormats });

  const ok = (result: unknown): Reply => ({ status: 200, body: { result, status: 'ok', time: 0.0001 } });
  const notFound = (what: string): Reply => ({ status: 404, body: { status: { error: `Not found: ${what}` }, time: 0.0001 } });
  const resolve = (name: string) => collections.get(aliases.get(name) ?? name);
  const nameOf = (context: Context) => String(context.request.params.collection_name);
  const body = (context: Context) => context.request.requestBody as Record<string, unknown>;

  api.register({
    healthz: () => ({ status: 200, body: 'healthz check passed' }),
    collection_exists: (context) => ok({ exists: resolve(nameOf(context)) !== undefined }),
    create_collection: (context) => {
      const vectors = body(context).vectors as { size: number; distance: string };
      if (collections.has(nameOf(context))) return { status: 409, body: { status: { error: `Collection ${nameOf(context)} already exists` }, time: 0 } };
      collections.set(nameOf(context), { size: vectors.size, distance: vectors.distance, points: new Map(), payloadIndexes: new Map() });
      return ok(true);
    },
    delete_collection: (context) => ok(collections.delete(nameOf(context))),
    get_collection: (context) => {
      const collection = resolve(nameOf(context));
      if (!collection) return notFound(`Collection ${nameOf(context)}`);
      return ok({
        status: 'green',
        optimizer_status: 'ok',
        points_count: collection.points.size,
        indexed_vectors_count: collection.points.size,
        segments_count: 1,
        payload_schema: Object.fromEntries([...collection.payloadIndexes].map(([field, type]) => [field, { data_type: type, points: collection.points.size }])),
        config: {
          params: { vectors: { size: collection.size, distance: collection.distance }, shard_number: 1, replication_factor: 1, write_consistency_factor: 1, on_disk_payload: true },
          hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000 },
          optimizer_config: { default_segment_number: 0, flush_interval_sec: 5 },
          wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
        },
      });
    },
    create_field_index: (context) => {
      const collection = resolve(nameOf(context));
      if (!collection) return notFound(`Collection ${nameOf(context)}`);
      const request = body(context) as { field_name: string; field_schema: string };
      collection.payloadIndexes.set(request.field_name, request.field_schema);
      return ok({ operation_id: 1, status: 'completed' });
    },
    upsert_points: (context) => {
      const collection = resolve(nameOf(context));
      if (!collection) return notFound(`Collection ${nameOf(context)}`);
      for (const point of (body(context).points as { id: string; vector: number[]; payload?: Record<string, unknown> }[])) {
        if (point.vector.length !== collection.size) return { status: 400, body: { status: { error: `Wrong input: Vector dimension error: expected dim: ${collection.size}, got ${point.vector.length}` }, time: 0 } };
        collection.points.set(String(point.id), { vector: point.vector, payload: point.payload ?? {} });
      }
      return ok({ operation_id: 1, status: 'completed' });
    },
    delete_points: (context) => {
      const collection = resolve(nameOf(context));
      if (!collection) return notFound(`Collection ${nameOf(context)}`);
      const selector = body(context) as { points?: string[]; filter?: { must?: { key: string; match: { value: unknown } }[] } };
      for (const [id, point] of collection.points) {
        if (selector.points?.includes(id) || (selector.filter && matches(point.payload, selector.filter))) collection.points.delete(id);
      }
      return ok({ operation_id: 1, status: 'completed' });
    },
    count_points: (context) => {
      const collection = resolve(nameOf(context));
      if (!collection) return notFound(`Collection ${nameOf(context)}`);
      return ok({ count: collection.points.size });
    },
    query_points: (context) => {
      const collection = resolve(nameOf(context));
      if (!collection) return notFound(`Collection ${nameOf(context)}`);
      const request = body(context) as { query: number[]; limit?: number; with_payload?: boolean };
      const norm = (vector: number[]) => Math.hypot(...vector) || 1;
      const points = [...collection.points]
        .map(([id, point]) => ({
          id,
          version: 0,
          score: point.vector.reduce((sum, value, index) => sum + value * (request.query[index] ?? 0), 0) / (norm(point.vector) * norm(request.query)),
          ...(request.with_payload ? { payload: point.payload } : {}),
        }))
        .sort((a, b) => b.score - a.score)
        .slice(0, request.limit ?? 10);
      return ok({ points });
    },
    update_aliases: (context) => {
      for (const action of (body(context).actions as Record<string, { alias_name: string; collection_name?: string }>[])) {
        if (action.create_alias) aliases.set(action.create_alias.alias_name, action.create_alias.collection_name ?? '');
        if (action.delete_alias) aliases.delete(action.delete_alias.alias_name);
      }
      return ok(true);
    },
    get_collections_aliases: () => ok({ aliases: [...aliases].map(([alias_name, collection_name]) => ({ alias_name, collection_name })) }),
    validationFail: (context) => {
      violations.push(`${context.request.method.toUpperCase()} ${context.request.path}: ${JSON.stringify(context.validation.errors)}`);
      return { status: 400, body: { status: { error: 'request does not match the OpenAPI spec' }, time: 0 } };
    },
    notFound: (context) => {
      violations.push(`${context.request.method.toUpperCase()} ${context.request.path}: no such operation in the spec`);
      return { status: 404, body: { status: { error: 'Not found' }, time: 0 } };
    },
    notImplemented: (context) => {
      violations.push(`${context.operation.operationId}: called, but the fake does not implement it`);
      return { status: 501, body: { status: { error: 'not implemented in the fake' }, time: 0 } };
    },
  });
  await api.init();

  let stalled: ServerResponse[] | undefined;
  const server: Server = createServer((request, response) => {
    if (stalled) return void stalled.push(response);
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      void (async () => {
        const url = new URL(request.url ?? '/', 'http://fake');
        if (request.headers['api-key'] !== apiKey) return send(response, { status: 401, body: { status: { error: 'Must provide an API key or an Authorization bearer token' }, time: 0 } });
        let parsedBody: unknown;
        try {
          parsedBody = raw === '' ? undefined : JSON.parse(raw);
        } catch {
          violations.push(`${request.method} ${url.pathname}: body is not JSON`);
          return send(response, { status: 400, body: { status: { error: 'bad JSON' }, time: 0 } });
        }
        const reply = (await api.handleRequest({
          method: request.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: request.headers as Record<string, string>,
          body: parsedBody,
        })) as Reply;
        const operation = api.matchOperation({ method: request.method ?? 'GET', path: url.pathname, headers: {} });
        if (operation && reply.status === 200) {
          const check = api.validateResponse(reply.body, operation, 200);
          if (check.errors) violations.push(`${operation.operationId}: the fake's own answer breaks the spec: ${JSON.stringify(check.errors)}`);
        }
        send(response, reply);
      })();
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  const port = address.port;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    violations,
    collections,
    aliases,
    close: () =>
      new Promise((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections(); // the client keeps connections alive; do not wait for them
      }),
    reopen: () => new Promise<void>((resolveListen) => server.listen(port, '127.0.0.1', resolveListen)),
    stall: (on) => {
      const waiting = stalled ?? [];
      stalled = on ? waiting : undefined;
      if (!on) for (const response of waiting) send(response, { status: 503, body: { status: { error: 'stalled' }, time: 0 } });
    },
  };
}

function send(response: ServerResponse, reply: Reply): void {
  const isText = typeof reply.body === 'string';
  response.writeHead(reply.status, { 'content-type': isText ? 'text/plain' : 'application/json' });
  response.end(isText ? reply.body : JSON.stringify(reply.body));
}

/**
 * The spec marks "may be null" in OpenAPI 3.0 style, often without a `type` beside it (e.g.
 * `anyOf: [{$ref}, {nullable: true}]`), which Ajv refuses. Rewritten to the JSON Schema meaning:
 * the schema, or null.
 */
function normalizeNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalizeNullable);
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, normalizeNullable(value)]));
  if (entries.nullable !== true || 'type' in entries) return entries;
  const { nullable: _nullable, ...rest } = entries;
  return Object.keys(rest).filter((key) => !['description', 'default', 'example'].includes(key)).length === 0
    ? { ...rest, type: 'null' }
    : { anyOf: [rest, { type: 'null' }] };
}

function matches(payload: Record<string, unknown>, filter: { must?: { key: string; match: { value: unknown } }[] }): boolean {
  return (filter.must ?? []).every((condition) => payload[condition.key] === condition.match.value);
}
