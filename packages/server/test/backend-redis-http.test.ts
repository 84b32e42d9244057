// The Redis cache over HTTP (issue #8): Redis going away does not lock users out —
// verifications are checked again at the source — and the `cache` heartbeat says
// false until it is back; an unreachable Redis at start-up stops the server clearly.
// Each test runs a private redis-server it starts and stops (never the shared one).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createTcpServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { test, type TestContext } from 'node:test';
import { StartupError } from '@kinto-ts/core';
import { basicAuth, serviceSkip, testSettings } from '@kinto-ts/core/testing';
import { createServer } from '../src/app.js';
import { ACCOUNTS, clientOf } from './resource-helpers.js';

const skip = await serviceSkip('redis');

async function freePort(): Promise<number> {
  const server = createTcpServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** A private redis-server on `port`; stop() ends it (SIGTERM, by pid). */
async function redis(t: TestContext, port: number) {
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  for (let i = 0; i < 100 && !/Ready to accept connections/.test(output); i++) await sleep(50);
  assert.match(output, /Ready to accept connections/, 'redis-server did not start');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  };
  t.after(stop);
  return { stop };
}

/** Polls the heartbeat until `cache` is `expected` (a reconnection takes a moment). */
async function cacheHeartbeat(api: ReturnType<typeof clientOf>, expected: boolean): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100; i++) {
    const reply = await api.get('/v1/__heartbeat__', { auth: null });
    if (reply.body.cache === expected) return reply.body;
    await sleep(100);
  }
  return assert.fail(`cache heartbeat never became ${expected}`);
}


test('Redis down: users still authenticate, the cache heartbeat is false; Redis back: true again', { skip }, async (t) => {
  const port = await freePort();
  const server = await redis(t, port);
  const kinto = await createServer(
    testSettings({ ...ACCOUNTS, cache_backend: 'kinto.core.cache.redis', cache_url: `redis://127.0.0.1:${port}/0`, cache_prefix: 'kinto:' }),
    { logger: false },
  );
  t.after(() => kinto.close());
  const api = clientOf(kinto);
  const alice = basicAuth('alice', 's3cret-pw');
  assert.equal((await api.put('/v1/accounts/alice', { data: { password: 's3cret-pw' } }, { auth: null })).status, 201);
  assert.equal((await api.get('/v1/', { auth: alice })).body.user?.id, 'account:alice');
  assert.deepEqual(await cacheHeartbeat(api, true), { storage: true, permission: true, cache: true });

  await server.stop();
  const hello = await api.get('/v1/', { auth: alice });
  assert.equal(hello.status, 200);
  assert.equal(hello.body.user?.id, 'account:alice');
  assert.equal((await api.put('/v1/buckets/b1', {}, { auth: alice })).status, 201);
  assert.equal((await api.get('/v1/', { auth: basicAuth('alice', 'wrong') })).body.user, undefined);
  assert.equal((await cacheHeartbeat(api, false)).storage, true);
  assert.equal((await api.get('/v1/__heartbeat__', { auth: null })).status, 503);

  await redis(t, port);
  await cacheHeartbeat(api, true);
  assert.equal((await api.get('/v1/', { auth: alice })).body.user?.id, 'account:alice');
});

test('an unreachable Redis at start-up stops the server with a clear message', { skip }, async () => {
  const port = await freePort();
  await assert.rejects(
    createServer(testSettings({ cache_backend: 'kinto.core.cache.redis', cache_url: `redis://:hunter2@127.0.0.1:${port}/0` }), { logger: false }),
    (error: unknown) => {
      assert.ok(error instanceof StartupError);
      assert.equal(error.code, 'KINTO_ERR_BACKEND');
      assert.match(error.message, new RegExp(`cannot connect to Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/0`));
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    },
  );
});

test('a cache_url that is not a Redis URL stops the server', { skip }, async () => {
  await assert.rejects(createServer(testSettings({ cache_backend: 'redis', cache_url: 'http://127.0.0.1:6379' }), { logger: false }), /setting 'cache_url' has scheme 'http'/);
});
