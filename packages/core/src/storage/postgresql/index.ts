// PostgreSQL storage backend (Kinto's `kinto.core.storage.postgresql`) on Kinto's own
// schema (./schema.ts): `data` JSONB without id/last_modified, tombstones as rows with
// `deleted` and data `{"deleted": true}`, `last_modified` assigned by the
// `bump_timestamp` trigger (kinto-api.md §5.1).
//
// Concurrency (beyond Python Kinto): writers of one list take the transaction-scoped
// advisory lock Kinto 27 takes in its trigger, so concurrent writes keep strictly
// increasing timestamps instead of failing on the unique index; and a write of an object
// the same transaction read is conditional on what it read, so of two conditional
// writers (If-Match) exactly one wins and the other gets 409 errno 122.
import { conflict, serviceUnavailable } from '../../errors.js';
import {
  ObjectNotFoundError,
  UnicityError,
  type DeleteAllOptions,
  type Filter,
  type KintoObject,
  type ListOptions,
  type PurgeOptions,
  type Storage,
} from '../index.js';
import { PostgresClient, type PostgresOptions } from './client.js';
import { checkSchema, migrateSchema, type Migratable, type MigrateOptions } from './migrator.js';
import { Params, filtersSql, paginationSql, parentSql, sortingSql } from './query.js';
import { STORAGE_SCHEMA_DEFINITION } from './schema.js';

export { STORAGE_SCHEMA_DEFINITION };

export interface PostgreSQLStorageOptions extends PostgresOptions {
  /** Read-only servers never create list timestamps (kinto-api.md §11.3). */
  readonly?: boolean;
}

type ObjectRow = { id: string; last_modified: string | number; data: Record<string, unknown> };

const TOMBSTONE_DATA = JSON.stringify({ deleted: true });

function toObject(row: ObjectRow): KintoObject {
  return { ...row.data, id: row.id, last_modified: Number(row.last_modified) } as KintoObject;
}

/** A client-provided `last_modified` the trigger may use (§5.1), else null (server-assigned). */
function providedTimestamp(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value < 1e15 ? value : null;
}

function dataOf(obj: Record<string, unknown>): string {
  const { id: _id, last_modified: _lm, deleted: _deleted, ...data } = obj;
  return JSON.stringify(data);
}

export class PostgreSQLStorage implements Storage, Migratable {
  readonly client: PostgresClient;
  private readonly readonly: boolean;

  constructor(options: PostgreSQLStorageOptions) {
    this.client = PostgresClient.shared(options);
    this.readonly = options.readonly ?? false;
  }

  async initialize(): Promise<void> {
    await checkSchema(this.client, STORAGE_SCHEMA_DEFINITION);
  }

  async migrate(options?: MigrateOptions): Promise<void> {
    await migrateSchema(this.client, STORAGE_SCHEMA_DEFINITION, options);
  }

  runInTransaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.client.runInTransaction(fn);
  }

  /** The permission backend on the same database shares this client, hence its transactions. */
  sharesTransactionsWith(other: unknown): boolean {
    return (other as { client?: unknown } | null)?.client === this.client;
  }

  /**
   * A write that reaches the server: a read-only check on read-only servers, else a
   * write rolled back at once (a standby or a full disk fails it, nothing is left behind).
   */
  async heartbeat(): Promise<boolean> {
    if (this.readonly) return this.client.ping('SELECT 1 FROM objects LIMIT 1');
    return this.client.probe(
      `INSERT INTO timestamps (parent_id, resource_name, last_modified)
       VALUES ('__heartbeat__', '__heartbeat__', NOW()) ON CONFLICT DO NOTHING`,
    );
  }

  async flush(): Promise<void> {
    await this.client.query('DELETE FROM objects; DELETE FROM timestamps;');
  }

  private closed = false;

  /** Releases this backend's share of the pool (once: closing twice must not end a pool others use). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.release();
  }

  private key(resourceName: string, parentId: string, id: string): string {
    return JSON.stringify([resourceName, parentId, id]);
  }

  /** Serialises writers of one list until their transaction ends (the key Kinto 27's trigger locks). */
  private async lockList(resourceName: string, parentId: string): Promise<void> {
    if (parentId.includes('*')) return;
    await this.client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [parentId, resourceName]);
  }

  /** The list timestamp, null for a list never seen; `stored` when its `timestamps` row exists. */
  private async listTimestamp(resourceName: string, parentId: string): Promise<{ epoch: number | null; stored: boolean }> {
    const result = await this.client.query<{ last_epoch: string | null; stored: boolean }>(
      `SELECT as_epoch(MAX(last_modified)) AS last_epoch, bool_or(stored) AS stored FROM (
         (SELECT last_modified, FALSE AS stored FROM objects WHERE parent_id = $1 AND resource_name = $2 ORDER BY last_modified DESC LIMIT 1)
         UNION ALL
         (SELECT last_modified, TRUE AS stored FROM timestamps WHERE parent_id = $1 AND resource_name = $2)
       ) AS existing`,
      [parentId, resourceName],
    );
    const row = result.rows[0];
    const value = row?.last_epoch;
    return { epoch: value === null || value === undefined ? null : Number(value), stored: row?.stored === true };
  }

  async resourceTimestamp(resourceName: string, parentId: string): Promise<number> {
    // In a writing request the list timestamp is read to be compared (If-Match on a
    // plural endpoint): lock first, so no other writer of the list commits in between.
    if (this.client.inTransaction) await this.lockList(resourceName, parentId);
    const { epoch: existing, stored } = await this.listTimestamp(resourceName, parentId);
    // The list's row exists: the insertion below would do nothing (one round trip less per list read).
    if (stored && existing !== null) return existing;
    if (this.readonly) {
      if (existing === null) {
        throw serviceUnavailable('Resource timestamp cannot be written. Plural endpoint must be hit at least once from a writable instance.');
      }
      return existing;
    }
    const created = await this.client.query<{ last_epoch: string }>(
      `INSERT INTO timestamps (parent_id, resource_name, last_modified)
       VALUES ($1, $2, COALESCE(from_epoch($3::bigint), clock_timestamp()::timestamp))
       ON CONFLICT (parent_id, resource_name) DO NOTHING
       RETURNING as_epoch(last_modified) AS last_epoch`,
      [parentId, resourceName, existing],
    );
    const row = created.rows[0];
    if (row) return Number(row.last_epoch);
    // Another request created it in between.
    return existing ?? (await this.listTimestamp(resourceName, parentId)).epoch ?? Date.now();
  }

  async create(resourceName: string, parentId: string, obj: Record<string, unknown> & { id: string }): Promise<KintoObject> {
    const inserted = await this.client.withTransaction(async () => {
      await this.lockList(resourceName, parentId);
      // A tombstone is replaced; a live object makes the WHERE false and nothing is returned.
      return this.client.query<{ last_modified: string }>(
        `INSERT INTO objects (id, parent_id, resource_name, data, last_modified, deleted)
         VALUES ($1, $2, $3, $4::jsonb, from_epoch($5::bigint), FALSE)
         ON CONFLICT (id, parent_id, resource_name) DO UPDATE
         SET last_modified = from_epoch($5::bigint), data = EXCLUDED.data, deleted = FALSE
         WHERE objects.deleted
         RETURNING as_epoch(last_modified) AS last_modified`,
        [obj.id, parentId, resourceName, dataOf(obj), providedTimestamp(obj.last_modified)],
      );
    });
    const row = inserted.rows[0];
    if (!row) {
      const existing = await this.get(resourceName, parentId, obj.id).catch(() => null);
      if (!existing) throw conflict();
      throw new UnicityError('id', existing);
    }
    const { deleted: _deleted, ...created } = obj;
    const result = { ...created, id: obj.id, last_modified: Number(row.last_modified) } as KintoObject;
    this.client.noteRead(this.key(resourceName, parentId, obj.id), result.last_modified);
    return result;
  }

  async get(resourceName: string, parentId: string, objectId: string): Promise<KintoObject> {
    const result = await this.client.query<ObjectRow>(
      `SELECT id, as_epoch(last_modified) AS last_modified, data FROM objects
       WHERE id = $1 AND parent_id = $2 AND resource_name = $3 AND NOT deleted`,
      [objectId, parentId, resourceName],
    );
    const row = result.rows[0];
    const key = this.key(resourceName, parentId, objectId);
    if (this.readOfUnknown(key)) this.client.noteRead(key, row ? Number(row.last_modified) : null);
    if (!row) throw new ObjectNotFoundError(resourceName, parentId, objectId);
    return toObject(row);
  }

  /** Only the first read of an object in a transaction is the one its writes are conditional on. */
  private readOfUnknown(key: string): boolean {
    return this.client.readOf(key) === undefined;
  }

  /** The condition a write of an object read earlier in this transaction must meet (optimistic check). */
  private expected(resourceName: string, parentId: string, objectId: string, params: Params): string {
    const seen = this.client.readOf(this.key(resourceName, parentId, objectId));
    if (seen === undefined) return 'TRUE';
    if (seen === null) return 'objects.deleted';
    return `(NOT objects.deleted AND as_epoch(objects.last_modified) = ${params.add(seen)}::bigint)`;
  }

  async update(resourceName: string, parentId: string, objectId: string, obj: Record<string, unknown>): Promise<KintoObject> {
    const result = await this.client.withTransaction(async () => {
      await this.lockList(resourceName, parentId);
      const params = new Params();
      const [id, parent, resource, data, provided] = [objectId, parentId, resourceName, dataOf(obj), providedTimestamp(obj.last_modified)].map((v) =>
        params.add(v),
      );
      const expected = this.expected(resourceName, parentId, objectId, params);
      // A provided value not above the replaced object's own timestamp is ignored (§5.1 step 2);
      // NULL lets the trigger assign one.
      return this.client.query<{ last_modified: string }>(
        `INSERT INTO objects (id, parent_id, resource_name, data, last_modified, deleted)
         VALUES (${id}, ${parent}, ${resource}, ${data}::jsonb, from_epoch(${provided}::bigint), FALSE)
         ON CONFLICT (id, parent_id, resource_name) DO UPDATE
         SET data = EXCLUDED.data, deleted = FALSE,
             last_modified = CASE WHEN objects.deleted OR from_epoch(${provided}::bigint) > objects.last_modified
                                  THEN from_epoch(${provided}::bigint) END
         WHERE ${expected}
         RETURNING as_epoch(last_modified) AS last_modified`,
        params.values,
      );
    });
    const row = result.rows[0];
    if (!row) throw conflict();
    const { deleted: _deleted, ...rest } = obj;
    const updated = { ...rest, id: objectId, last_modified: Number(row.last_modified) } as KintoObject;
    this.client.noteRead(this.key(resourceName, parentId, objectId), updated.last_modified);
    return updated;
  }

  async delete(
    resourceName: string,
    parentId: string,
    objectId: string,
    options: { withDeleted?: boolean; lastModified?: number } = {},
  ): Promise<KintoObject> {
    const withDeleted = options.withDeleted ?? true;
    const key = this.key(resourceName, parentId, objectId);
    const row = await this.client.withTransaction(async () => {
      await this.lockList(resourceName, parentId);
      const params = new Params();
      const match = `id = ${params.add(objectId)} AND parent_id = ${params.add(parentId)} AND resource_name = ${params.add(resourceName)}
                     AND NOT deleted AND ${this.expected(resourceName, parentId, objectId, params)}`;
      if (withDeleted) {
        const provided = params.add(providedTimestamp(options.lastModified));
        const result = await this.client.query<ObjectRow>(
          `UPDATE objects SET deleted = TRUE, data = ${params.add(TOMBSTONE_DATA)}::jsonb,
                  last_modified = CASE WHEN from_epoch(${provided}::bigint) > objects.last_modified THEN from_epoch(${provided}::bigint) END
           WHERE ${match}
           RETURNING id, as_epoch(last_modified) AS last_modified, data`,
          params.values,
        );
        return result.rows[0];
      }
      const result = await this.client.query<ObjectRow>(
        `DELETE FROM objects WHERE ${match} RETURNING id, as_epoch(last_modified) AS last_modified, data`,
        params.values,
      );
      const deleted = result.rows[0];
      if (deleted) deleted.last_modified = await this.bumpList(resourceName, parentId);
      return deleted;
    });
    if (!row) {
      if (this.client.readOf(key)) throw conflict();
      throw new ObjectNotFoundError(resourceName, parentId, objectId);
    }
    this.client.noteRead(key, null);
    return toObject(row);
  }

  /**
   * A hard delete removes the newest row: the list timestamp must still move forward
   * (§5.1), so it is kept in `timestamps`, bumped like the trigger does.
   */
  private async bumpList(resourceName: string, parentId: string): Promise<number> {
    const previous = (await this.listTimestamp(resourceName, parentId)).epoch;
    const result = await this.client.query<{ last_epoch: string }>(
      `INSERT INTO timestamps (parent_id, resource_name, last_modified)
       VALUES ($1, $2, from_epoch(GREATEST(as_epoch(clock_timestamp()::timestamp), COALESCE($3::bigint + 1, 0))))
       ON CONFLICT (parent_id, resource_name) DO UPDATE SET last_modified = EXCLUDED.last_modified
       RETURNING as_epoch(last_modified) AS last_epoch`,
      [parentId, resourceName, previous],
    );
    return Number(result.rows[0]!.last_epoch);
  }

  async deleteAll(resourceName: string, parentId: string, options: DeleteAllOptions = {}): Promise<KintoObject[]> {
    const withDeleted = options.withDeleted ?? true;
    return this.client.withTransaction(async () => {
      await this.lockList(resourceName, parentId);
      const params = new Params();
      const matching = `SELECT id, parent_id, resource_name FROM objects
        WHERE ${parentSql(parentId, params)} AND resource_name = ${params.text(resourceName)} AND NOT deleted
          AND (${filtersSql(options.filters, params)}) AND (${paginationSql(options.paginationRules, params)})
        ${sortingSql(options.sorting, params)}
        ${options.limit !== undefined ? `LIMIT ${params.add(options.limit)}::bigint` : ''}
        FOR UPDATE`;
      const join = `objects.id = matching.id AND objects.parent_id = matching.parent_id AND objects.resource_name = matching.resource_name`;
      if (withDeleted) {
        const result = await this.client.query<ObjectRow>(
          `WITH matching AS (${matching})
           UPDATE objects SET deleted = TRUE, data = ${params.add(TOMBSTONE_DATA)}::jsonb, last_modified = NULL
           FROM matching WHERE ${join}
           RETURNING objects.id, as_epoch(objects.last_modified) AS last_modified, objects.data`,
          params.values,
        );
        return result.rows.map(toObject);
      }
      const result = await this.client.query<ObjectRow & { parent_id: string }>(
        `WITH matching AS (${matching})
         DELETE FROM objects USING matching WHERE ${join}
         RETURNING objects.id, objects.parent_id, as_epoch(objects.last_modified) AS last_modified, objects.data`,
        params.values,
      );
      await this.purgeCascaded(resourceName, parentId, result.rows.map((r) => r.parent_id));
      return result.rows.map(toObject);
    });
  }

  /**
   * Cascades (withDeleted false) also remove the tombstones of those lists, and the lists
   * left empty forget their timestamp: a recreated parent starts fresh (§5.2).
   */
  private async purgeCascaded(resourceName: string, parentId: string, touched: string[]): Promise<void> {
    const params = new Params();
    const lists = `${parentSql(parentId, params)} AND resource_name = ${params.text(resourceName)}`;
    await this.client.query(`DELETE FROM objects WHERE ${lists} AND deleted`, params.values);
    await this.client.query(
      `DELETE FROM timestamps t WHERE ${lists}
       AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.parent_id = t.parent_id AND o.resource_name = t.resource_name)`,
      params.values,
    );
    for (const parent of new Set(touched)) {
      if ((await this.listTimestamp(resourceName, parent)).epoch !== null) await this.bumpList(resourceName, parent);
    }
  }

  async purgeDeleted(resourceName: string, parentId: string, options: PurgeOptions = {}): Promise<number> {
    return this.client.withTransaction(async () => {
      const params = new Params();
      const lists = `${parentSql(parentId, params)} AND resource_name = ${params.text(resourceName)}`;
      // The newest tombstone may carry the list timestamp: keep it in `timestamps` first.
      await this.client.query(
        `INSERT INTO timestamps (parent_id, resource_name, last_modified)
         SELECT parent_id, resource_name, MAX(last_modified) FROM objects WHERE ${lists} AND deleted GROUP BY parent_id, resource_name
         ON CONFLICT (parent_id, resource_name) DO UPDATE SET last_modified = GREATEST(timestamps.last_modified, EXCLUDED.last_modified)`,
        params.values,
      );
      const conditions: string[] = [];
      if (options.before !== undefined) conditions.push(`as_epoch(ranked.last_modified) < ${params.add(options.before)}::bigint`);
      if (options.maxRetained !== undefined) conditions.push(`ranked.position > ${params.add(options.maxRetained)}::bigint`);
      const result = await this.client.query(
        `WITH ranked AS (
           SELECT id, parent_id, resource_name, last_modified,
                  row_number() OVER (PARTITION BY parent_id, resource_name ORDER BY last_modified DESC) AS position
           FROM objects WHERE ${lists} AND deleted
         )
         DELETE FROM objects USING ranked
         WHERE objects.id = ranked.id AND objects.parent_id = ranked.parent_id AND objects.resource_name = ranked.resource_name
           AND (${conditions.length ? conditions.join(' OR ') : 'TRUE'})`,
        params.values,
      );
      return result.rowCount ?? 0;
    });
  }

  async listAll(resourceName: string, parentId: string, options: ListOptions = {}): Promise<KintoObject[]> {
    const params = new Params();
    const result = await this.client.query<ObjectRow>(
      `SELECT id, as_epoch(last_modified) AS last_modified, data FROM objects
       WHERE ${parentSql(parentId, params)} AND resource_name = ${params.text(resourceName)}
         ${options.includeDeleted ? '' : 'AND NOT deleted'}
         AND (${filtersSql(options.filters, params)}) AND (${paginationSql(options.paginationRules, params)})
       ${sortingSql(options.sorting, params)}
       ${options.limit !== undefined ? `LIMIT ${params.add(options.limit)}::bigint` : ''}`,
      params.values,
    );
    return result.rows.map(toObject);
  }

  async countAll(resourceName: string, parentId: string, filters: Filter[] = []): Promise<number> {
    const params = new Params();
    const result = await this.client.query<{ total: string }>(
      `SELECT COUNT(*) AS total FROM objects
       WHERE ${parentSql(parentId, params)} AND resource_name = ${params.text(resourceName)} AND NOT deleted
         AND (${filtersSql(filters, params)})`,
      params.values,
    );
    return Number(result.rows[0]!.total);
  }
}
