// PostgreSQL and Redis for tests (STYLE §10): service-backed suites skip with a clear
// message where the service is absent on a developer's machine, and fail under
// `CI=true`. Each test file gets its own database (created, migrated, dropped) or its
// own Redis key prefix, so suites running in parallel never see each other's data.
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import pg from 'pg';

/** Admin URL of the test server (a database the tests may connect to in order to create others). */
export function postgresqlTestUrl(): string {
  return process.env.KINTO_TEST_POSTGRESQL_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
}

export function redisTestUrl(): string {
  return process.env.KINTO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
}

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const parsed = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || defaultPort) });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * `false` when the service answers, else the skip message for node:test's `skip` option.
 * Under `CI=true` an absent service is an error: CI must run every suite.
 */
export async function serviceSkip(service: 'postgresql' | 'redis'): Promise<string | false> {
  const url = service === 'postgresql' ? postgresqlTestUrl() : redisTestUrl();
  if (await reachable(url, service === 'postgresql' ? 5432 : 6379)) return false;
  const variable = service === 'postgresql' ? 'KINTO_TEST_POSTGRESQL_URL' : 'KINTO_TEST_REDIS_URL';
  const message = `${service} is not reachable at ${new URL(url).host} (set ${variable} to use another server)`;
  if (process.env.CI === 'true') throw new Error(`${message}: CI=true requires it`);
  return `${message}: skipped`;
}

export interface TestDatabase {
  /** URL of the new, empty database. */
  url: string;
  name: string;
  /** Drops the database (closing other sessions on it). */
  drop(): Promise<void>;
}

/** Creates an empty database with a unique name on the test server. */
export async function createTestDatabase(label = 'kinto'): Promise<TestDatabase> {
  const admin = postgresqlTestUrl();
  const name = `${label.replace(/\W/g, '_')}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase();
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}" ENCODING 'UTF8' TEMPLATE template0`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const dropper = new pg.Client({ connectionString: admin });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** A Redis key prefix no other test uses (`cache_prefix`). */
export function uniquePrefix(label = 'kinto-test'): string {
  return `${label}-${process.pid}-${randomBytes(4).toString('hex')}:`;
}

/** Runs SQL on a database (several statements when there are no parameters) and returns the rows. */
export async function runSql<T = Record<string, unknown>>(url: string, text: string, params?: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(text, params);
    return (Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows) as T[];
  } finally {
    await client.end();
  }
}
