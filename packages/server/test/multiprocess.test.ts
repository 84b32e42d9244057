// Several stateless server processes on one PostgreSQL and one Redis (issue #8):
// real `kinto start` processes, as deployed behind a balancer. A login state created
// by one process is consumed by another, once; conditional writes arriving through
// both keep exactly one winner. Also `kinto start --workers N`, and the maintenance
// commands (`migrate`, `flush-cache`, `purge-deleted`) run as users run them.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { basicAuth, createTestDatabase, redisTestUrl, runSql, serviceSkip, uniquePrefix, type TestDatabase } from '@kinto-ts/core/testing';

const skip = (await serviceSkip('postgresql')) || (await serviceSkip('redis'));
const ROOT = resolve(import.meta.dirname, '../../..');
const MAIN = resolve(import.meta.dirname, '../src/cli/main.ts');
const SOURCE = ['--conditions=source', '--import', 'tsx', MAIN];
const AUTH = basicAuth('alice');
const KEEP_ALIVE = new Agent({ keepAlive: true });
after(() => KEEP_ALIVE.destroy());

const databases: TestDatabase[] = [];
after(() => Promise.all(databases.map((d) => d.drop())));

/** A login-state route pair on the shared cache, as the OpenID plugin keeps its OAuth states. */
const STATE_PLUGIN = `
import { randomUUID } from 'node:crypto';
export default {
  name: 'state-test',
  includeme(api) {
    const states = api.cache.namespace('oauth-states');
    api.routes(async (app) => {
      app.post('/test-state', async () => {
        const state = randomUUID();
        await states.set(state, { createdBy: process.pid }, 60);
        return { state };
      });
      app.get('/test-state/:state', async (request, reply) => {
        const value = await states.pop(request.params.state);
        if (value === undefined) return reply.code(404).send({ consumedBy: null });
        return { ...value, consumedBy: process.pid };
      });
    });
  },
};
`;

/** A configuration on a fresh database and a Redis prefix of this test's own. */
async function deployment(extra = ''): Promise<{ ini: string; db: TestDatabase }> {
  const db = await createTestDatabase('multiprocess');
  databases.push(db);
  const dir = mkdtempSync(join(tmpdir(), 'kinto-multiprocess-'));
  writeFileSync(join(dir, 'state-plugin.mjs'), STATE_PLUGIN);
  const ini = join(dir, 'kinto.ini');
  writeFileSync(
    ini,
    `[app:main]
kinto.includes = ./state-plugin.mjs
kinto.storage_backend = kinto.core.storage.postgresql
kinto.storage_url = ${db.url}
kinto.permission_backend = kinto.core.permission.postgresql
kinto.permission_url = ${db.url}
kinto.cache_backend = kinto.core.cache.redis
kinto.cache_url = ${redisTestUrl()}
kinto.cache_prefix = ${uniquePrefix('multiprocess')}
multiauth.policies = basicauth
kinto.userid_hmac_secret = multiprocess-secret
kinto.log_level = info
${extra}`,
  );
  return { ini, db };
}

function kinto(args: string[]) {
  const result = spawnSync(process.execPath, [...SOURCE, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `kinto start` on a free port; resolves with its base URL once it listens, stopped (SIGTERM) after the test. */
async function start(t: TestContext, ini: string, args: string[] = [], ready = /listening on (http:\/\/[\d.:]+)/): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...SOURCE, 'start', '--ini', ini, '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) resolveUrl(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`kinto start exited (${code}): ${output}`)));
  });
  return { url, child };
}

/** One request; `keepAlive` false opens a new connection (cluster workers get connections in turn). */
function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}, keepAlive = true) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<{ status: number; body: Record<string, any> }>((resolveReply, reject) => {
    const request = httpRequest(
      `${base}${path}`,
      {
        method,
        agent: keepAlive ? KEEP_ALIVE : false,
        headers: { authorization: AUTH, ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolveReply({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, any> }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

test('two processes on one PostgreSQL and one Redis: shared login states, one winner per conditional write', { skip, timeout: 120_000 }, async (t) => {
  const { ini } = await deployment();
  assert.equal(kinto(['migrate', '--ini', ini]).status, 0);
  const [one, two] = await Promise.all([start(t, ini), start(t, ini)]);

  // A login started on one process completes on the other, and only once.
  const { state } = (await call(one.url, 'POST', '/v1/test-state')).body;
  const consumed = await call(two.url, 'GET', `/v1/test-state/${state}`);
  assert.equal(consumed.status, 200);
  assert.notEqual(consumed.body.createdBy, consumed.body.consumedBy, 'created and consumed by different processes');
  assert.equal((await call(one.url, 'GET', `/v1/test-state/${state}`)).status, 404);
  const contested = (await call(two.url, 'POST', '/v1/test-state')).body.state;
  const pops = await Promise.all(Array.from({ length: 40 }, (_, i) => call(i % 2 ? one.url : two.url, 'GET', `/v1/test-state/${contested}`)));
  assert.equal(pops.filter((p) => p.status === 200).length, 1);

  // Conditional writes through both processes: exactly one winner each round.
  assert.equal((await call(one.url, 'PUT', '/v1/buckets/b1', {})).status, 201);
  assert.equal((await call(two.url, 'PUT', '/v1/buckets/b1/collections/c1', {})).status, 201);
  let record = (await call(one.url, 'PUT', '/v1/buckets/b1/collections/c1/records/r', { data: { round: 0 } })).body.data;
  for (let round = 1; round <= 5; round++) {
    const ifMatch = { 'if-match': `"${record.last_modified}"` };
    const replies = await Promise.all(
      [one.url, two.url, one.url, two.url].map((base, i) => call(base, 'PUT', '/v1/buckets/b1/collections/c1/records/r', { data: { round, writer: i } }, ifMatch)),
    );
    assert.equal(replies.filter((r) => r.status === 200).length, 1, `round ${round}: ${replies.map((r) => r.status)}`);
    assert.ok(replies.every((r) => [200, 409, 412].includes(r.status)));
    record = (await call(two.url, 'GET', '/v1/buckets/b1/collections/c1/records/r')).body.data;
    assert.equal(record.round, round);
  }

  // Creations through both: none lost, timestamps distinct.
  const created = await Promise.all(Array.from({ length: 40 }, (_, i) => call(i % 2 ? one.url : two.url, 'POST', '/v1/buckets/b1/collections/c1/records', { data: { i } })));
  assert.deepEqual([...new Set(created.map((r) => r.status))], [201]);
  assert.equal(new Set(created.map((r) => r.body.data.last_modified)).size, 40);
  const listed = await call(one.url, 'GET', '/v1/buckets/b1/collections/c1/records');
  assert.equal(listed.body.data.length, 41);
});

test('kinto start --workers 2 serves from both workers and stops cleanly on SIGTERM', { skip, timeout: 120_000 }, async (t) => {
  const { ini } = await deployment();
  assert.equal(kinto(['migrate', '--ini', ini]).status, 0);
  const { url, child } = await start(t, ini, ['--workers', '2'], /2 workers listening on (http:\/\/[\d.:]+)/);
  const pids = new Set<number>();
  for (let i = 0; i < 30 && pids.size < 2; i++) {
    const { state } = (await call(url, 'POST', '/v1/test-state')).body;
    pids.add((await call(url, 'GET', `/v1/test-state/${state}`, undefined, {}, false)).body.consumedBy);
  }
  assert.equal(pids.size, 2, 'requests reached two worker processes');
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
});

test('start refuses a database without schema; migrate, flush-cache and purge-deleted work as Kinto\'s', { skip, timeout: 120_000 }, async (t) => {
  const { ini, db } = await deployment();
  const refused = kinto(['start', '--ini', ini, '--port', '0']);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /KINTO_ERR_MIGRATION: no Kinto storage schema .* run `kinto migrate --ini <file>`/);
  assert.doesNotMatch(refused.stderr, /at [\w.]+ \(/, 'one line, no stack trace');

  const migrated = kinto(['migrate', '--ini', ini]);
  assert.equal(migrated.status, 0, migrated.stderr);
  assert.match(migrated.stderr, /Created PostgreSQL storage schema \(version 26\)/);
  assert.match(kinto(['migrate', '--ini', ini, '--dry-run']).stderr, /PostgreSQL storage schema is up-to-date/);

  const server = await start(t, ini);
  await call(server.url, 'PUT', '/v1/buckets/b1', {});
  await call(server.url, 'PUT', '/v1/buckets/b1/collections/c1', {});
  for (let i = 0; i < 5; i++) {
    await call(server.url, 'PUT', `/v1/buckets/b1/collections/c1/records/r${i}`, { data: {} });
    await call(server.url, 'DELETE', `/v1/buckets/b1/collections/c1/records/r${i}`);
  }
  const { state } = (await call(server.url, 'POST', '/v1/test-state')).body;

  const purged = kinto(['purge-deleted', '--ini', ini, 'record', 'bucket', '2']);
  assert.equal(purged.status, 0, purged.stderr);
  assert.match(purged.stderr, /3 tombstone\(s\) deleted/);
  const left = await runSql<{ id: string }>(db.url, `SELECT id FROM objects WHERE deleted ORDER BY id`);
  assert.deepEqual(left.map((r) => r.id), ['r3', 'r4']);

  const flushed = kinto(['flush-cache', '--ini', ini]);
  assert.equal(flushed.status, 0, flushed.stderr);
  assert.match(flushed.stderr, /Cache has been cleared\./);
  assert.equal((await call(server.url, 'GET', `/v1/test-state/${state}`)).status, 404);

  assert.equal(kinto(['purge-deleted', '--ini', ini, 'record']).status, 2);
});
