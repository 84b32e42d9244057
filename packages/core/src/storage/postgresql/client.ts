// The PostgreSQL connection shared by the storage and permission backends (Kinto's
// `kinto/core/storage/postgresql/client.py`): one `pg` pool per URL, and the
// request transaction carried by an AsyncLocalStorage so that storage and
// permission calls of one request — and of every sub-request of a batch — run on
// the same connection and commit or roll back together (settings.md §3.1
// `transaction_per_request`). A nested `runInTransaction` opens a savepoint lazily,
// so a failed batch sub-request undoes its own writes and leaves the batch usable.
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { BackendError, StartupError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { isConnectionError, translateError } from './errors.js';

export interface PostgresOptions {
  url: string;
  /** The setting holding the URL (`storage_url`), named in start-up errors. */
  setting: string;
  poolSize?: number;
  maxOverflow?: number;
  /** Seconds to wait for a free connection before answering 503. */
  poolTimeout?: number;
  /** Seconds after which a connection is replaced; -1 keeps them. */
  poolRecycle?: number;
  /** Requests allowed to wait for a connection; -1 is unbounded, beyond it 503 at once. */
  maxBacklog?: number;
  log?: Logger;
}

type Row = Record<string, unknown>;

interface Transaction {
  client: pg.PoolClient;
  savepoints: number;
}

/** One level of `runInTransaction`: the top one owns BEGIN/COMMIT, nested ones a savepoint. */
interface Scope {
  owner: PostgresClient;
  tx: Transaction;
  parent: Scope | null;
  savepoint: string | null;
  opened: Promise<void> | null;
  /** Objects read in this scope: key → `last_modified`, or null when read as absent. */
  reads: Map<string, number | null>;
}

const scopes = new AsyncLocalStorage<Scope>();

/** `postgresql://user:***@host/db`: URLs in messages never carry the password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable URL>';
  }
}

/** Validates a Kinto database URL; SQLAlchemy dialect suffixes (`postgresql+psycopg2://`) are accepted. */
export function normalizeUrl(url: string, setting: string): string {
  const normalized = url.trim().replace(/^postgres(?:ql)?\+[\w]+:/, 'postgresql:');
  if (!normalized) {
    throw new StartupError('KINTO_ERR_SETTING', `setting '${setting}' is empty: a PostgreSQL backend needs a URL such as postgresql://user:password@localhost/kinto`);
  }
  let parsed: URL;
  try {
    parsed = new URL(normalized);
  } catch {
    throw new StartupError('KINTO_ERR_SETTING', `setting '${setting}' is not a URL: expected postgresql://user:password@host:port/database`);
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
    throw new StartupError(
      'KINTO_ERR_SETTING',
      `setting '${setting}' has scheme '${parsed.protocol.replace(/:$/, '')}': expected postgresql://user:password@host:port/database`,
    );
  }
  return normalized;
}

interface Shared {
  client: PostgresClient;
  users: number;
}
const sharedClients = new Map<string, Shared>();

export class PostgresClient {
  readonly url: string;
  private readonly pool: pg.Pool;
  private readonly maxBacklog: number;
  private readonly watched = new WeakSet<pg.PoolClient>();
  private ended = false;

  constructor(private readonly options: PostgresOptions) {
    this.url = normalizeUrl(options.url, options.setting);
    const size = Math.max(1, (options.poolSize ?? 25) + Math.max(0, options.maxOverflow ?? 5));
    this.maxBacklog = options.maxBacklog ?? -1;
    this.pool = new pg.Pool({
      connectionString: this.url,
      max: size,
      connectionTimeoutMillis: Math.max(1, Math.round((options.poolTimeout ?? 30) * 1000)),
      idleTimeoutMillis: 10_000,
      maxLifetimeSeconds: (options.poolRecycle ?? -1) > 0 ? options.poolRecycle : 0,
      application_name: 'kinto-ts',
      // Kinto's timestamps are UTC `TIMESTAMP`s converted with as_epoch()/from_epoch():
      // they only round-trip in a UTC session, whatever the database default.
      options: '-c timezone=UTC',
      allowExitOnIdle: true,
    });
    // An idle connection dropped by the server (restart, network) must not crash the process.
    this.pool.on('error', (error) => options.log?.warn({ err: error }, 'PostgreSQL connection lost'));
  }

  /** The client of a URL, shared by the storage and permission backends so their writes share transactions. */
  static shared(options: PostgresOptions): PostgresClient {
    const key = normalizeUrl(options.url, options.setting);
    let entry = sharedClients.get(key);
    if (!entry || entry.client.ended) {
      entry = { client: new PostgresClient(options), users: 0 };
      sharedClients.set(key, entry);
    }
    entry.users++;
    return entry.client;
  }

  /** Releases one user of a shared client; the pool ends with its last user. */
  async release(): Promise<void> {
    const entry = sharedClients.get(this.url);
    if (entry?.client === this) {
      entry.users--;
      if (entry.users > 0) return;
      sharedClients.delete(this.url);
    }
    await this.end();
  }

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.pool.end();
  }

  get label(): string {
    return redactUrl(this.url);
  }

  private async connect(): Promise<pg.PoolClient> {
    if (this.maxBacklog >= 0 && this.pool.waitingCount >= this.maxBacklog && this.pool.totalCount >= (this.pool.options.max ?? 1)) {
      throw new BackendError(`PostgreSQL pool exhausted: ${this.pool.waitingCount} requests already waiting (max_backlog)`);
    }
    try {
      const client = await this.pool.connect();
      if (!this.watched.has(client)) {
        this.watched.add(client);
        // A checked-out connection can fail between two queries; the next query reports it.
        client.on('error', (error) => this.options.log?.warn({ err: error }, 'PostgreSQL connection error'));
      }
      return client;
    } catch (error) {
      throw translateError(error);
    }
  }

  private current(): Scope | undefined {
    const scope = scopes.getStore();
    return scope?.owner === this ? scope : undefined;
  }

  /** True inside a request transaction of this client. */
  get inTransaction(): boolean {
    return this.current() !== undefined;
  }

  private async open(scope: Scope): Promise<void> {
    if (!scope.savepoint) return;
    scope.opened ??= (async () => {
      if (scope.parent) await this.open(scope.parent);
      await scope.tx.client.query(`SAVEPOINT ${scope.savepoint}`);
    })();
    await scope.opened;
  }

  /** Runs one statement: on the request transaction's connection when there is one. */
  async query<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<T>> {
    const scope = this.current();
    try {
      if (scope) {
        await this.open(scope);
        return await scope.tx.client.query<T>(sql, params);
      }
      return await this.direct<T>(sql, params);
    } catch (error) {
      throw translateError(error);
    }
  }

  /** Runs one statement outside any request transaction (the cache: Kinto's `with_transaction=False`). */
  async direct<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<T>> {
    const client = await this.connect();
    let broken: unknown;
    try {
      return await client.query<T>(sql, params);
    } catch (error) {
      if (isConnectionError(error)) broken = error;
      throw translateError(error);
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  /**
   * Runs `fn` in a transaction: committed when it resolves, rolled back when it throws.
   * Inside another one of this client, `fn` runs in a savepoint of it. Nested calls must not run concurrently.
   */
  async runInTransaction<T>(fn: () => Promise<T>): Promise<T> {
    const parent = this.current();
    if (parent) return this.nested(parent, fn);
    const client = await this.connect();
    const tx: Transaction = { client, savepoints: 0 };
    const scope: Scope = { owner: this, tx, parent: null, savepoint: null, opened: null, reads: new Map() };
    try {
      await client.query('BEGIN');
      const result = await scopes.run(scope, fn);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
        client.release();
      } catch (rollbackError) {
        client.release(rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError)));
      }
      throw translateError(error);
    }
  }

  private async nested<T>(parent: Scope, fn: () => Promise<T>): Promise<T> {
    const scope: Scope = {
      owner: this,
      tx: parent.tx,
      parent,
      savepoint: `kinto_sp_${++parent.tx.savepoints}`,
      opened: null,
      reads: new Map(),
    };
    let result: T;
    try {
      result = await scopes.run(scope, fn);
    } catch (error) {
      if (scope.opened) {
        await scope.opened.catch(() => undefined);
        await parent.tx.client.query(`ROLLBACK TO SAVEPOINT ${scope.savepoint}`).catch(() => undefined);
      }
      throw error;
    }
    if (scope.opened) {
      await scope.opened;
      try {
        await parent.tx.client.query(`RELEASE SAVEPOINT ${scope.savepoint}`);
      } catch (error) {
        throw translateError(error);
      }
    }
    for (const [key, value] of scope.reads) parent.reads.set(key, value);
    return result;
  }

  /** The `last_modified` this transaction read for `key` (null: read as absent), if it did. */
  readOf(key: string): number | null | undefined {
    for (let scope: Scope | null | undefined = this.current(); scope; scope = scope.parent) {
      if (scope.reads.has(key)) return scope.reads.get(key);
    }
    return undefined;
  }

  /** Remembers what the current transaction saw of an object (ignored outside transactions). */
  noteRead(key: string, lastModified: number | null): void {
    this.current()?.reads.set(key, lastModified);
  }

  /** Runs `fn` with a transaction: the request's, or a short one of its own. */
  async withTransaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.current() ? fn() : this.runInTransaction(fn);
  }

  /** True when the server answers a query. */
  async ping(sql = 'SELECT 1'): Promise<boolean> {
    try {
      await this.direct(sql);
      return true;
    } catch {
      return false;
    }
  }

  /** True when `sql` succeeds in a transaction rolled back at once: a write probe that leaves nothing behind. */
  async probe(sql: string): Promise<boolean> {
    try {
      await this.session(async (connection) => {
        await connection.query('BEGIN');
        try {
          await connection.query(sql);
        } finally {
          await connection.query('ROLLBACK');
        }
      });
      return true;
    } catch {
      return false;
    }
  }

  /** Runs `fn` on one dedicated connection (migrations: session locks, several statements). */
  async session<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      return await fn(client);
    } catch (error) {
      if (isConnectionError(error)) broken = error as Error;
      throw translateError(error);
    } finally {
      client.release(broken);
    }
  }
}
