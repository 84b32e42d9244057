// The benchmark's server launcher (bench/, issue #9): Kinto started from a generated
// `.ini` in a process of its own, answering over HTTP, its memory readable, and gone
// once stopped; the bare-fastify ceiling answering the bytes it was given. The bench
// itself is not part of `pnpm test`: it reports figures and asserts none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCeiling, startKinto, type ServerHandle } from '../../../bench/src/server-process.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopped(server: ServerHandle, t: { after(fn: () => unknown): void }): Promise<ServerHandle> {
  t.after(() => server.stop());
  return server;
}

test('the bench launches Kinto from its .ini in a separate process and stops it', async (t) => {
  const server = await stopped(
    await startKinto({ settings: { 'kinto.project_name': 'bench-smoke', 'kinto.log_level': 'silent', 'multiauth.policies': 'basicauth' } }),
    t,
  );
  assert.notEqual(server.pid, process.pid);
  const response = await fetch(`${server.url}/v1/`);
  assert.equal(response.status, 200);
  const hello = (await response.json()) as { project_name?: string };
  assert.equal(hello.project_name, 'bench-smoke', 'the settings of the generated .ini apply');
  if (process.platform === 'linux') {
    server.resetPeak();
    assert.ok((server.rssBytes() ?? 0) > 10 * 1024 * 1024, 'the RSS of the server process is read');
    assert.ok((server.peakRssBytes() ?? 0) >= (server.rssBytes() ?? Infinity) - 4096);
    const usage = await server.gc();
    assert.ok(usage.heapUsed > 0);
  }
  await server.stop();
  assert.equal(alive(server.pid), false, 'the server process is gone');
});

test('the ceiling answers each route with exactly the bytes it was given', async (t) => {
  const body = Buffer.from(JSON.stringify({ data: [{ id: 'é', n: 1 }] }));
  const server = await stopped(await startCeiling({ '/page': body }), t);
  const response = await fetch(`${server.url}/page`);
  assert.equal(response.status, 200);
  assert.match(String(response.headers.get('content-type')), /^application\/json/);
  assert.deepEqual(Buffer.from(await response.arrayBuffer()), body);
  assert.equal((await fetch(`${server.url}/other`)).status, 404);
});
