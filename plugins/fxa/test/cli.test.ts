// The `kinto-fxa` command run as operators run it: a separate process reading an
// `.ini`, talking to the SQS fixture through the AWS SDK with an explicit loopback
// endpoint, region and static credentials (so the SDK never probes instance
// metadata), stopped by SIGTERM. With PostgreSQL, it deletes data a server wrote.
import { test, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { createBackends, isMigratable, loadSettingsFromIni } from '@kinto-ts/core';
import { createTestDatabase, serviceSkip, testSettings, type TestDatabase } from '@kinto-ts/core/testing';
import { createServer, defaultBucketId } from '@kinto-ts/server';
import { startFakeSqs, type FakeSqs } from './fixtures/sqs-server.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = resolve(import.meta.dirname, '../bin/kinto-fxa.js');
// The sources, not a possibly stale dist/ (one test runs the bin itself).
const SOURCE = ['--conditions=source', '--import', 'tsx', resolve(import.meta.dirname, '../src/account-events/main.ts')];
const pgSkip = await serviceSkip('postgresql');
const databases: TestDatabase[] = [];
after(() => Promise.all(databases.map((db) => db.drop())));

const envelope = (event: unknown) => JSON.stringify({ Message: JSON.stringify(event) });

function iniFile(values: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kinto-fxa-cli-'));
  const lines = Object.entries({
    'kinto.includes': 'kinto.plugins.default_bucket kinto_fxa',
    'multiauth.policies': 'fxa',
    'multiauth.policy.fxa.use': 'kinto_fxa.authentication.FxAOAuthAuthenticationPolicy',
    'fxa-oauth.oauth_uri': 'http://127.0.0.1:9/v1',
    'fxa-oauth.clients.notes.required_scope': 'profile https://identity.mozilla.org/apps/notes',
    'kinto.log_level': 'info',
    ...values,
  }).map(([k, v]) => `${k} = ${v}`);
  const path = join(dir, 'kinto.ini');
  writeFileSync(path, `[app:main]\n${lines.join('\n')}\n`);
  return path;
}

/** Starts the worker; resolves with its exit code and output once it exits. */
function worker(t: TestContext, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [...SOURCE, ...args], {
    cwd: ROOT,
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_EC2_METADATA_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; output: string }>((resolveExit) => child.on('exit', (code) => resolveExit({ code, output })));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, exited, output: () => output };
}

async function until(condition: () => boolean, what: string, exited: Promise<unknown>): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  while (!condition()) {
    if (done) assert.fail(`the worker exited before ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function queue(t: TestContext): Promise<FakeSqs> {
  const sqs = await startFakeSqs();
  t.after(() => sqs.stop());
  sqs.createQueue('fxa-events');
  return sqs;
}

test('the bin runs: usage and status 2 without a sub-command', () => {
  const result = spawnSync(process.execPath, [BIN], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /usage: kinto-fxa \[--ini INI_FILE\] process-account-events QUEUE_NAME/);
});

test('the worker drains the queue, deletes every message, and stops cleanly on SIGTERM', async (t) => {
  const sqs = await queue(t);
  const bodies = ['blah', envelope({ event: 'rezone', uid: 'x' }), envelope({ event: 'delete', uid: 'abcd' })];
  for (const body of bodies) sqs.send('fxa-events', body);
  const ini = iniFile({});
  const run = worker(t, ['--ini', ini, 'process-account-events', 'fxa-events', '--aws-region', 'us-east-1', '--queue-wait-time', '1'], {
    FXA_OAUTH_SQS_ENDPOINT_URL: sqs.endpoint,
  });
  await until(() => sqs.deleted.length === bodies.length, 'draining the queue', run.exited);
  // A late message is processed by the running long poll too.
  sqs.send('fxa-events', envelope({ event: 'login', uid: 'abcd' }));
  await until(() => sqs.deleted.length === bodies.length + 1, 'the late message', run.exited);
  run.child.kill('SIGTERM');
  const { code, output } = await run.exited;
  assert.equal(code, 0, output);
  assert.match(output, /Invalid account message/);
  assert.match(output, /Dropping unknown event type 'rezone'/);
  assert.match(output, /Processing account delete for 'abcd'/);
  assert.match(output, new RegExp(`Deleting bucket '/buckets/${defaultBucketId('', 'fxa:abcd-notes')}'`));
  assert.match(output, /SIGTERM received/);
});

test('an unknown queue: logged, exit status 1', async (t) => {
  const sqs = await queue(t);
  const run = worker(t, ['--ini', iniFile({}), 'process-account-events', 'missing-queue', '--aws-region', 'us-east-1'], {
    FXA_OAUTH_SQS_ENDPOINT_URL: sqs.endpoint,
  });
  const { code, output } = await run.exited;
  assert.equal(code, 1);
  assert.match(output, /Error while processing account events/);
  assert.match(output, /QueueDoesNotExist|does not exist/);
});

test('--from-file processes message bodies, one per line, then exits 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kinto-fxa-lines-'));
  const file = join(dir, 'events.jsonl');
  writeFileSync(file, `${envelope({ event: 'delete', uid: 'u1' })}\n\nnot json\n`);
  const run = worker(t, ['--ini', iniFile({}), 'process-account-events', '--from-file', file], {});
  const { code, output } = await run.exited;
  assert.equal(code, 0, output);
  assert.match(output, /Processing account delete for 'u1'/);
  assert.match(output, /Invalid account message/);
});

test('with PostgreSQL, the worker deletes what the server stored for the account', { skip: pgSkip }, async (t) => {
  const db = await createTestDatabase('fxa_cli');
  databases.push(db);
  const backend = {
    'kinto.storage_backend': 'kinto.core.storage.postgresql',
    'kinto.storage_url': db.url,
    'kinto.permission_backend': 'kinto.core.permission.postgresql',
    'kinto.permission_url': db.url,
  };
  const backends = await createBackends({ settings: testSettings(backend), log: pino({ level: 'silent' }) });
  for (const b of [backends.storage, backends.permission]) if (isMigratable(b)) await b.migrate();
  await Promise.all([backends.storage.close(), backends.permission.close(), backends.cache.close()]);

  const ini = iniFile(backend);
  const kinto = await createServer(loadSettingsFromIni(ini), { logger: false });
  t.after(() => kinto.close());
  const mine = defaultBucketId('', 'fxa:abcd-notes');
  const theirs = defaultBucketId('', 'fxa:efgh-notes');
  for (const id of [mine, theirs]) {
    await kinto.registry.storage.create('bucket', '', { id });
    await kinto.registry.storage.create('collection', `/buckets/${id}`, { id: 'tasks' });
    await kinto.registry.storage.create('record', `/buckets/${id}/collections/tasks`, { id: 'r1' });
    await kinto.registry.permission.addPrincipalToAce(`/buckets/${id}`, 'write', 'fxa:x');
  }

  const sqs = await queue(t);
  sqs.send('fxa-events', envelope({ event: 'delete', uid: 'abcd' }));
  const run = worker(t, ['--ini', ini, 'process-account-events', 'fxa-events', '--aws-region', 'us-east-1', '--queue-wait-time', '1'], {
    FXA_OAUTH_SQS_ENDPOINT_URL: sqs.endpoint,
  });
  await until(() => sqs.deleted.length === 1, 'processing the event', run.exited);
  run.child.kill('SIGINT');
  assert.equal((await run.exited).code, 0);

  const { storage, permission } = kinto.registry;
  assert.deepEqual(await storage.listAll('record', `/buckets/${mine}/*`, { includeDeleted: true }), []);
  assert.deepEqual(await storage.listAll('bucket', '', { includeDeleted: true, filters: [{ field: 'id', operator: 'eq', value: mine }] }), []);
  assert.deepEqual(await permission.getObjectPermissions(`/buckets/${mine}`), {});
  assert.equal((await storage.listAll('record', `/buckets/${theirs}/collections/tasks`)).length, 1);
  assert.deepEqual(await permission.getObjectPermissions(`/buckets/${theirs}`), { write: ['fxa:x'] });
});
