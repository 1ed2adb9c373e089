import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cosineSimilarity } from '../../src/embed/embedder.js';
import { EmbeddingServiceError, OpenAiCompatibleEmbedder } from '../../src/embed/openai-compatible-embedder.js';

const DIMENSIONS = 384;

/** A stand-in embedding server speaking OpenAI's /v1/embeddings over real HTTP. */
interface FakeEmbeddingServer {
  url: string;
  requests: { authorization: string | undefined; body: { model: string; input: string[] } }[];
  /** Status codes to answer with before answering normally. */
  failures: number[];
  close(): Promise<void>;
}

function deterministicEmbedding(text: string): number[] {
  const digest = createHash('sha256').update(text).digest();
  return Array.from({ length: DIMENSIONS }, (_, index) => (digest[index % digest.length] ?? 0) - 128);
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return body;
}

async function startFakeServer(): Promise<FakeEmbeddingServer> {
  const fake: Omit<FakeEmbeddingServer, 'url' | 'close'> = { requests: [], failures: [] };
  const server: Server = createServer((request, response) => {
    void readBody(request).then((raw) => {
      const body = JSON.parse(raw) as { model: string; input: string[] };
      fake.requests.push({ authorization: request.headers.authorization, body });
      const failure = fake.failures.shift();
      if (request.url !== '/v1/embeddings') {
        response.writeHead(404).end();
      } else if (failure !== undefined) {
        response.writeHead(failure, { 'retry-after': '0' }).end(JSON.stringify({ error: 'busy' }));
      } else {
        // Answer out of order: clients must use `index`, not position.
        const data = body.input.map((text, index) => ({ object: 'embedding', index, embedding: deterministicEmbedding(text) })).reverse();
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data, model: body.model }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return { ...fake, url: `http://127.0.0.1:${address.port}/v1`, close: () => new Promise((resolve) => server.close(() => resolve())) } as FakeEmbeddingServer;
}

describe('the OpenAI-compatible embedder', () => {
  let fake: FakeEmbeddingServer;
  beforeAll(async () => {
    fake = await startFakeServer();
  });
  afterAll(() => fake?.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.failures.length = 0;
  });

  const options = () => ({ baseUrl: fake.url, apiKey: 'sk-test-key', model: 'sentence-transformers/all-MiniLM-L6-v2', dimensions: undefined });

  it('probes the dimensions, sends the model and key, and returns normalised vectors in input order', async () => {
    const embedder = await OpenAiCompatibleEmbedder.connect(options());
    expect(embedder.dimensions).toBe(DIMENSIONS);
    expect(embedder.id).toBe('openai-compatible:sentence-transformers/all-MiniLM-L6-v2@384');
    const [first, second] = await embedder.embed(['ROS 2 topics', 'URDF joints']);
    expect(fake.requests.at(-1)).toEqual({ authorization: 'Bearer sk-test-key', body: { model: 'sentence-transformers/all-MiniLM-L6-v2', input: ['ROS 2 topics', 'URDF joints'] } });
    expect(cosineSimilarity(first as Float32Array, first as Float32Array)).toBeCloseTo(1, 5);
    const expected = deterministicEmbedding('URDF joints');
    const norm = Math.hypot(...expected);
    expect(second?.[0]).toBeCloseTo((expected[0] ?? 0) / norm, 5);
  });

  it('sends large inputs in batches of 64', async () => {
    const embedder = await OpenAiCompatibleEmbedder.connect({ ...options(), dimensions: DIMENSIONS });
    const vectors = await embedder.embed(Array.from({ length: 150 }, (_, index) => `text ${index}`));
    expect(vectors).toHaveLength(150);
    expect(fake.requests.map((request) => request.body.input.length)).toEqual([64, 64, 22]);
  });

  it('retries 429 and 5xx answers, then succeeds', async () => {
    const embedder = await OpenAiCompatibleEmbedder.connect({ ...options(), dimensions: DIMENSIONS });
    fake.failures.push(429, 503);
    const vectors = await embedder.embed(['retry me']);
    expect(vectors).toHaveLength(1);
    expect(fake.requests).toHaveLength(3);
  });

  it('gives up after repeated failures, and at once on a client error', async () => {
    const embedder = await OpenAiCompatibleEmbedder.connect({ ...options(), dimensions: DIMENSIONS });
    fake.failures.push(500, 500, 500, 500);
    await expect(embedder.embed(['x'])).rejects.toThrow(/HTTP 500 after 4 attempts/);
    fake.requests.length = 0;
    fake.failures.push(401);
    await expect(embedder.embed(['x'])).rejects.toThrow(EmbeddingServiceError);
    expect(fake.requests).toHaveLength(1);
  });

  it('refuses vectors of the wrong size', async () => {
    const embedder = await OpenAiCompatibleEmbedder.connect({ ...options(), dimensions: 768 });
    await expect(embedder.embed(['x'])).rejects.toThrow(/returned 384 dimensions, expected 768/);
  });

  it('reports an unreachable service clearly', async () => {
    await expect(OpenAiCompatibleEmbedder.connect({ ...options(), baseUrl: 'http://127.0.0.1:1/v1' })).rejects.toThrow(/unreachable/);
  }, 15_000);
});
