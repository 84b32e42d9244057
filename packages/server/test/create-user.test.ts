// `kinto create-user` (settings.md §6, §8.13), run as users run it: through the bin,
// with answers on stdin. On PostgreSQL the account it writes logs in on a server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { createBackends, loadSettingsFromIni } from '@kinto-ts/core';
import { basicAuth, createTestDatabase, serviceSkip } from '@kinto-ts/core/testing';
import { pino } from 'pino';
import { createServerFromIni } from '../src/app.js';

const BIN = resolve(import.meta.dirname, '../bin/kinto.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `kinto create-user` with `input` on stdin (null: stdin closed at once). */
function createUser(ini: string, args: string[], input: string | null = null): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [BIN, 'create-user', '--ini', ini, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (status) => resolveRun({ status, stdout, stderr }));
    if (input !== null) child.stdin.write(input);
    child.stdin.end();
  });
}

function writeIni(values: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kinto-create-user-'));
  const ini = join(dir, 'kinto.ini');
  const lines = Object.entries(values).map(([k, v]) => `${k} = ${v}`);
  writeFileSync(ini, ['[app:main]', 'use = egg:kinto', ...lines, ''].join('\n'));
  return ini;
}

const ACCOUNTS = {
  'kinto.includes': 'kinto.plugins.accounts',
  'multiauth.policies': 'account',
  'multiauth.policy.account.use': 'kinto.plugins.accounts.AccountsPolicy',
  'kinto.account_bcrypt_rounds': '4',
};

test('exit 52 without the accounts plugin, 51 on a readonly server', async () => {
  const without = await createUser(writeIni({}), ['-u', 'admin', '-p', 'x']);
  assert.equal(without.status, 52);
  assert.match(without.stderr, /Cannot create a user when the accounts plugin is not installed\./);
  const readonly = await createUser(writeIni({ ...ACCOUNTS, 'kinto.readonly': 'true' }), ['-u', 'admin', '-p', 'x']);
  assert.equal(readonly.status, 51);
  assert.match(readonly.stderr, /Cannot create a user with a readonly server\./);
});

test('exit 53 when input ends before the answers; prompts re-ask bad usernames and mismatched passwords', async () => {
  const ini = writeIni(ACCOUNTS);
  const aborted = await createUser(ini, []);
  assert.equal(aborted.status, 53, aborted.stderr);
  assert.match(aborted.stdout, /Username: User creation aborted/);
  const halfway = await createUser(ini, ['-u', 'admin'], 'secret\n');
  assert.equal(halfway.status, 53);
  const answered = await createUser(ini, ['-u', 'not valid'], 'admin\nfirst\nsecond\ns3cret\ns3cret\n');
  assert.equal(answered.status, 0, answered.stderr);
  assert.match(answered.stdout, /not valid is not a valid username\./);
  assert.match(answered.stdout, /Sorry, passwords do not match, please try again\./);
  assert.match(answered.stdout, /Creating user 'admin'/);
  assert.doesNotMatch(answered.stdout + answered.stderr, /s3cret/, 'the password is never echoed');
});

const skip = await serviceSkip('postgresql');

test('on PostgreSQL the created account logs in; running it again resets the password', { skip }, async (t) => {
  const db = await createTestDatabase('create_user');
  t.after(() => db.drop());
  const ini = writeIni({
    ...ACCOUNTS,
    'kinto.storage_backend': 'kinto.core.storage.postgresql',
    'kinto.storage_url': db.url,
    'kinto.permission_backend': 'kinto.core.permission.postgresql',
    'kinto.permission_url': db.url,
  });
  // The schema exists before any command runs (`kinto migrate`).
  const backends = await createBackends({ settings: loadSettingsFromIni(ini), log: pino({ level: 'silent' }) });
  for (const backend of [backends.storage, backends.permission]) await (backend as { migrate?: () => Promise<void> }).migrate?.();
  await Promise.all([backends.storage.close(), backends.permission.close(), backends.cache.close()]);

  const first = await createUser(ini, ['--username', 'admin', '--password', 's3cret']);
  assert.equal(first.status, 0, first.stderr);
  const kinto = await createServerFromIni(ini, { logger: false });
  t.after(() => kinto.close());
  const hello = async (auth: string) => JSON.parse((await kinto.app.inject({ url: '/v1/', headers: { authorization: auth } })).body).user?.id;
  assert.equal(await hello(basicAuth('admin', 's3cret')), 'account:admin');
  const account = await kinto.app.inject({ url: '/v1/accounts/admin', headers: { authorization: basicAuth('admin', 's3cret') } });
  assert.deepEqual(JSON.parse(account.body).permissions, { write: ['account:admin'] });

  const reset = await createUser(ini, ['-u', 'admin', '-p', 'n3w']);
  assert.equal(reset.status, 0, reset.stderr);
  // The server's own cache is in memory here: drop its entry as a restart would.
  await kinto.registry.cache.flush();
  assert.equal(await hello(basicAuth('admin', 's3cret')), undefined);
  assert.equal(await hello(basicAuth('admin', 'n3w')), 'account:admin');
});
