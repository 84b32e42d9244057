// PostgreSQL and Redis for the `postgresql+redis` runs: present or not (then the
// runs are skipped with the reason), and a clean slate each run — a database and a
// Redis db of the bench's own, so other suites' data never mixes with its figures.
import { createRequire } from 'node:module';
import { connect } from 'node:net';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(2000);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

export interface PgClient {
  connect(): Promise<void>;
  query(sql: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  end(): Promise<void>;
}

/** The `pg` driver of the core (the bench has no database dependency of its own). */
export function pgClient(database: string): PgClient {
  const require = createRequire(new URL('../../packages/core/package.json', import.meta.url));
  const { Client } = require('pg') as { Client: new (options: { connectionString: string }) => PgClient };
  return new Client({ connectionString: `postgresql://postgres@127.0.0.1:5432/${database}` });
}

/** Drops and re-creates `name` (connected through the `test` database the machine provides). */
async function recreateDatabase(name: string): Promise<void> {
  const client = pgClient('test');
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}

/** FLUSHDB on Redis database `db`, with inline commands (no client library needed for two words). */
function flushRedis(db: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: 6379, host: '127.0.0.1' });
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.split('\r\n').filter(Boolean).length >= 2) {
        socket.end();
        if (answer.startsWith('+OK\r\n+OK')) resolve();
        else reject(new Error(`Redis answered ${JSON.stringify(answer)}`));
      }
    });
    socket.once('error', reject);
    socket.write(`SELECT ${db}\r\nFLUSHDB\r\n`);
  });
}

/** Null when PostgreSQL and Redis are ready for a run, else why not. */
export async function prepareServices(database: string, redisDb: number): Promise<string | null> {
  const [pg, redis] = await Promise.all([portOpen(5432), portOpen(6379)]);
  if (!pg || !redis) return `${[!pg && 'PostgreSQL (127.0.0.1:5432)', !redis && 'Redis (127.0.0.1:6379)'].filter(Boolean).join(' and ')} not reachable`;
  try {
    await recreateDatabase(database);
    await flushRedis(redisDb);
  } catch (error) {
    return `cannot prepare the services: ${(error as Error).message}`;
  }
  return null;
}
