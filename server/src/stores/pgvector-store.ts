import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type DocentDb } from '../db/database.js';
import { graphDegreeOf, graphForTable, searchSettingsForGraph } from './hnsw-tuning.js';
import { claimCollectionForEmbedder, forgetCollection, recordedEmbedder } from './embedder-registry.js';
import {
  type EmbedderIdentity,
  type ScoredId,
  type VectorPoint,
  type VectorStore,
  type VectorStoreStatus,
} from './vector-store.js';

const UPSERT_BATCH = 200;
/** Below this many incoming vectors, updating the index as they arrive beats rebuilding it. */
const BULK_LOAD_MIN_VECTORS = 1_000;
/** maintenance_work_mem for an index build: room for the graph of ~25,000 vectors of 512 dimensions. */
const BUILD_MEMORY = '128MB';

/**
 * Vectors in a table of the relational database, searched with pgvector's cosine distance and an
 * HNSW index. Serves both the embedded default (PGlite, `name: 'pglite'`) and PostgreSQL
 * (`name: 'pgvector'`): the SQL is the same. The table is created at runtime, sized by the
 * embedder, so databases used only with Qdrant never need the pgvector extension.
 */
export class PgvectorStore implements VectorStore {
  private readonly table: string;
  private readonly hnswIndex: string;
  private readonly nearestFunction: string;

  constructor(
    private readonly db: DocentDb,
    readonly name: 'pglite' | 'pgvector',
    readonly collection: string,
  ) {
    this.table = vectorTableOf(collection);
    this.hnswIndex = quoteIdentifier(`vectors_${collection}_hnsw_idx`);
    this.nearestFunction = quoteIdentifier(`vectors_${collection}_nearest`);
  }

  async prepare(embedder: EmbedderIdentity): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`docent-vectors-${this.collection}`}))`);
      await tx.execute(sql`create extension if not exists vector`);
      await claimCollectionForEmbedder(tx, this.collection, this.name, embedder);
      await tx.execute(
        sql.raw(`create table if not exists ${this.table} (
          chunk_id uuid primary key,
          doc_path text not null,
          embedding vector(${Number(embedder.dimensions)}) not null
        )`),
      );
      await tx.execute(sql.raw(`create index if not exists ${quoteIdentifier(`vectors_${this.collection}_doc_path_idx`)} on ${this.table} (doc_path)`));
      await this.createNearestFunction(tx);
    });
  }

  /**
   * Nearest-neighbour search runs in a SQL function that carries its settings (hnsw-tuning.ts), so
   * they hold on every connection, behind a transaction pooler too (which drops session settings),
   * at no extra round trip. Recreated whenever the index is dropped or built, to match it. The
   * statement is planned at each call with the limit it is given (EXECUTE … USING): a plain SQL
   * function is planned once for any limit, and PostgreSQL then assumed a tenth of the table would
   * be read and chose an exact scan (1,820 vectors: 7.7 ms on PostgreSQL, 13.4 on PGlite, against
   * 1.3 and 3.6 through the index).
   */
  private async createNearestFunction(db: Pick<DocentDb, 'execute'>): Promise<void> {
    // No row when there is no index (during a bulk load, or before the first).
    const [index] = await queryRows<{ options: string[] | null }>(db, sql`select reloptions as options from pg_class where oid = to_regclass(${this.hnswIndex})`);
    const settings = searchSettingsForGraph(index ? graphDegreeOf(index.options) : undefined);
    await db.execute(
      sql.raw(`create or replace function ${this.nearestFunction}(query vector, k integer)
        returns table (id text, score double precision)
        language plpgsql stable
        set hnsw.ef_search = ${settings.candidates}
        set enable_seqscan = ${settings.alwaysUseIndex ? 'off' : 'on'}
        as $fn$ begin
          return query execute $q$ select chunk_id::text, 1 - (embedding <=> $1) from ${this.table} order by embedding <=> $1 limit $2 $q$ using query, k;
        end $fn$`),
    );
  }

  async upsert(points: readonly VectorPoint[]): Promise<void> {
    for (let start = 0; start < points.length; start += UPSERT_BATCH) {
      const batch = points.slice(start, start + UPSERT_BATCH);
      const values = sql.join(
        batch.map((point) => sql`(${point.id}::uuid, ${point.payload.doc_path}, ${vectorLiteral(point.vector)}::vector)`),
        sql`, `,
      );
      await this.db.execute(
        sql`insert into ${sql.raw(this.table)} (chunk_id, doc_path, embedding) values ${values}
            on conflict (chunk_id) do update set doc_path = excluded.doc_path, embedding = excluded.embedding`,
      );
    }
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.execute(sql`delete from ${sql.raw(this.table)} where chunk_id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})`);
  }

  async deleteByDocument(docPath: string): Promise<void> {
    await this.db.execute(sql`delete from ${sql.raw(this.table)} where doc_path = ${docPath}`);
  }

  async search(vector: Float32Array, limit: number): Promise<ScoredId[]> {
    const query = sql`select id, score from ${sql.raw(this.nearestFunction)}(${vectorLiteral(vector)}::vector, ${limit})`;
    try {
      return await this.nearest(query);
    } catch (error) {
      const state = sqlStateOf(error);
      if (state !== UNDEFINED_TABLE && state !== UNDEFINED_FUNCTION) throw error;
      // Nothing ingested yet: the collection's table does not exist, so nothing can match.
      if (!(await this.tableExists())) return [];
      // A table from a version without the search function (prepare creates it at start).
      await this.createNearestFunction(this.db);
      return this.nearest(query);
    }
  }

  private async nearest(query: SQL): Promise<ScoredId[]> {
    const rows = await queryRows<{ id: string; score: number }>(this.db, query);
    return rows.map((row) => ({ id: row.id, score: Number(row.score) }));
  }

  async count(): Promise<number> {
    return (await this.tableExists()) ? this.rowCount(this.db) : 0;
  }

  private async rowCount(db: Pick<DocentDb, 'execute'>): Promise<number> {
    const [row] = await queryRows<{ count: number }>(db, sql`select count(*)::int as count from ${sql.raw(this.table)}`);
    return row?.count ?? 0;
  }

  /**
   * A load of more vectors than the table holds (a first ingest, a new site) goes in without the
   * index, which is rebuilt once at the end: keeping an HNSW graph up to date row by row cost
   * ~9 ms a row on PGlite, against ~2 ms a row to build it over the loaded data. Meanwhile
   * search is exact, over a table no larger than the one being replaced.
   */
  async startBulkLoad(incoming: number): Promise<void> {
    if (incoming >= BULK_LOAD_MIN_VECTORS && incoming > (await this.count())) {
      await this.db.transaction(async (tx) => {
        await tx.execute(sql.raw(`drop index if exists ${this.hnswIndex}`));
        await this.createNearestFunction(tx);
      });
    }
  }

  /**
   * Builds the HNSW index if missing, its graph chosen by the table's size (hnsw-tuning.ts), and
   * the search function to match. The graph is built in memory while it fits in
   * maintenance_work_mem and far slower once it spills (18,000 vectors on PGlite: 143 s at 16 MB,
   * 38 s at 96 MB), so the limit is raised to BUILD_MEMORY for this build unless it is higher.
   */
  async finishBulkLoad(): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.execute(
        sql`select set_config('maintenance_work_mem', ${BUILD_MEMORY}, true)
            where pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes(${BUILD_MEMORY})`,
      );
      const graph = graphForTable(await this.rowCount(tx));
      await tx.execute(
        sql.raw(`create index if not exists ${this.hnswIndex} on ${this.table} using hnsw (embedding vector_cosine_ops)
          with (m = ${graph.m}, ef_construction = ${graph.efConstruction})`),
      );
      await this.createNearestFunction(tx);
    });
  }

  async reset(): Promise<void> {
    await this.db.execute(sql.raw(`drop function if exists ${this.nearestFunction}(vector, integer)`));
    await this.db.execute(sql.raw(`drop table if exists ${this.table}`));
    await forgetCollection(this.db, this.collection);
  }

  async status(): Promise<VectorStoreStatus> {
    try {
      const stored = await recordedEmbedder(this.db, this.collection);
      return {
        status: 'connected',
        store: this.name,
        collection: this.collection,
        vectors: await this.count(),
        dimensions: stored?.dimensions ?? 0,
        ...(stored ? { embedder: stored.id } : {}),
      };
    } catch {
      return { status: 'disconnected', store: this.name, collection: this.collection };
    }
  }

  private async tableExists(): Promise<boolean> {
    const [row] = await queryRows<{ exists: boolean }>(this.db, sql`select to_regclass(${this.table}) is not null as exists`);
    return row?.exists === true;
  }
}

/** PostgreSQL's SQLSTATE of a failed query, on the driver's error or the one drizzle wraps. */
function sqlStateOf(error: unknown): unknown {
  return (error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
}

const UNDEFINED_TABLE = '42P01';
const UNDEFINED_FUNCTION = '42883';

/** pgvector's text form: `[0.1,0.2,...]`. */
export function vectorLiteral(vector: Float32Array): string {
  return `[${Array.from(vector).join(',')}]`;
}

/** The table holding a collection's vectors, quoted for SQL. */
export function vectorTableOf(collection: string): string {
  return quoteIdentifier(`vectors_${collection}`);
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
