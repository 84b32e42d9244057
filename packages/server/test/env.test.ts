// KINTO_* environment overrides (settings.md §2.2, §8.2–8.3), end to end: the real
// `kinto start` binary reads an `.ini`, the environment wins over it with the same
// JSON-first value parsing, and the result is observed over HTTP, as the client
// libraries' test suites use it (KINTO_BACKOFF, KINTO_EOS*, KINTO_PAGINATE_BY, …).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';

const BIN = resolve(import.meta.dirname, '../bin/kinto.js');
const AUTH = `Basic ${Buffer.from('mat:secret').toString('base64')}`;

function writeIni(lines: string[]): string {
  const ini = join(mkdtempSync(join(tmpdir(), 'kinto-env-')), 'kinto.ini');
  writeFileSync(ini, ['[server:main]', 'host = 127.0.0.1', 'port = %(http_port)s', '', '[app:main]', 'use = egg:kinto', ...lines, ''].join('\n'));
  return ini;
}

/** The test runner's environment without any Kinto setting that could leak in. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const settingLike = /^(KINTO_|PAGINATE_BY$|BACKOFF$|EOS|READONLY$|INCLUDES$|HISTORY_|MULTIAUTH_)/;
  for (const [key, value] of Object.entries(process.env)) if (!settingLike.test(key) || key === 'KINTO_TEST_POSTGRESQL_URL') env[key] = value;
  return { ...env, ...extra };
}

/** `kinto start --port 0` with `env`; resolves with the base URL once it listens, stops it after the test. */
async function start(t: TestContext, ini: string, env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'start', '--ini', ini, '--port', '0'], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  child.on('exit', () => (exited = true));
  t.after(async () => {
    if (exited) return;
    const done = new Promise((resolveExit) => child.once('exit', resolveExit));
    child.kill('SIGTERM');
    await done;
  });
  return new Promise<string>((resolveUrl, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /kinto listening on (http:\/\/[^"\s]+)/.exec(output);
      if (match) resolveUrl(match[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`kinto start exited ${code}: ${output}`)));
  });
}

async function call(base: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`${base}/v1${path}`, { ...init, headers: { authorization: AUTH, 'content-type': 'application/json', ...init.headers } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as any) : null };
}

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

test('KINTO_* variables override the .ini: page size, Backoff, soft end of service, batch limit, includes', async (t) => {
  const ini = writeIni(['multiauth.policies = basicauth', 'kinto.paginate_by = 10', 'kinto.backoff = 99', 'kinto.batch_max_requests = 25']);
  const tomorrow = isoDay(1);
  const base = await start(t, ini, {
    KINTO_PAGINATE_BY: '2',
    PAGINATE_BY: '7',
    KINTO_BACKOFF: '10',
    KINTO_EOS: tomorrow,
    KINTO_EOS_URL: 'https://example.org/eol',
    KINTO_EOS_MESSAGE: 'Moving to v2',
    KINTO_BATCH_MAX_REQUESTS: '3',
    KINTO_INCLUDES: 'kinto.plugins.history',
    KINTO_HISTORY_AUTO_TRIM_MAX_COUNT: '4',
  });
  const hello = await call(base, '/');
  assert.equal(hello.status, 200);
  assert.equal(hello.body.eos, tomorrow);
  assert.equal(hello.body.settings.batch_max_requests, 3);
  assert.equal(hello.body.capabilities.history.auto_trim_max_count, 4);
  assert.equal(hello.headers.get('backoff'), '10');
  assert.deepEqual(JSON.parse(hello.headers.get('alert')!), { code: 'soft-eol', message: 'Moving to v2', url: 'https://example.org/eol' });

  assert.equal((await call(base, '/buckets/b', { method: 'PUT' })).status, 201);
  assert.equal((await call(base, '/buckets/b/collections/c', { method: 'PUT' })).status, 201);
  for (let i = 0; i < 5; i++) assert.equal((await call(base, '/buckets/b/collections/c/records', { method: 'POST', body: '{}' })).status, 201);
  const page = await call(base, '/buckets/b/collections/c/records');
  assert.equal(page.body.data.length, 2, 'KINTO_PAGINATE_BY wins over PAGINATE_BY and the .ini');
  assert.match(page.headers.get('next-page')!, /_limit=2/);
  const tooMany = await call(base, '/batch', { method: 'POST', body: JSON.stringify({ requests: Array(4).fill({ path: '/' }) }) });
  assert.equal(tooMany.status, 400);
  assert.match(tooMany.body.message, /limited to 3/);
  // KINTO_INCLUDES loaded the history plugin, which recorded the writes.
  const entries = await call(base, '/buckets/b/history?resource_name=collection');
  assert.deepEqual(entries.body.data.map((e: { uri: string }) => e.uri), ['/buckets/b/collections/c']);
});

test('KINTO_EOS in the past: every request is 410 errno 202 with a hard-eol Alert', async (t) => {
  const base = await start(t, writeIni(['multiauth.policies = basicauth']), { KINTO_EOS: isoDay(-1), KINTO_EOS_MESSAGE: '"1.2"' });
  for (const path of ['/', '/buckets']) {
    const reply = await call(base, path);
    assert.equal(reply.status, 410);
    assert.equal(reply.body.errno, 202);
    // JSON-first parsing: "1.2" in quotes is the string 1.2 (settings.md §1.1).
    assert.deepEqual(JSON.parse(reply.headers.get('alert')!), { code: 'hard-eol', message: '1.2', url: 'https://kinto.readthedocs.io/' });
  }
});

test('unprefixed variables apply too; KINTO_READONLY=true makes a read-only server', async (t) => {
  const ini = writeIni(['multiauth.policies = basicauth', 'kinto.paginate_by = 10']);
  const base = await start(t, ini, { PAGINATE_BY: '1', KINTO_READONLY: 'true' });
  const hello = await call(base, '/');
  assert.equal(hello.body.settings.readonly, true);
  assert.match(hello.headers.get('cache-control')!, /max-age=/);
  const put = await call(base, '/buckets/b', { method: 'PUT' });
  assert.equal(put.status, 405);
  assert.equal(put.body.errno, 115);
});
