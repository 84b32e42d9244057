// The `kinto` command (settings.md §6): run as users run it, through the bin.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { VERSION } from '../src/index.js';

const BIN = resolve(import.meta.dirname, '../bin/kinto.js');
const MAIN = resolve(import.meta.dirname, '../src/cli/main.ts');
const ROOT = resolve(import.meta.dirname, '../../..');
// The tests run the TypeScript sources (a stale dist/ must not hide a regression);
// one test runs the bin itself.
const SOURCE = ['--conditions=source', '--import', 'tsx', MAIN];

function kinto(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [...SOURCE, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kinto-cli-'));
}

/** Starts `kinto start` on a free port and resolves with its URL once it listens. */
async function startServer(ini: string, t: { after: (fn: () => Promise<void> | void) => void }) {
  const child = spawn(process.execPath, [...SOURCE, 'start', '--ini', ini, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  child.on('exit', () => (exited = true));
  t.after(() => {
    if (!exited) child.kill('SIGKILL');
  });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /kinto listening on (http:\/\/[^"\s]+)/.exec(output);
      if (match) resolveUrl(match[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
  return { child, url, output: () => output };
}

test('the kinto bin runs (dist when built, the sources otherwise)', () => {
  const result = spawnSync(process.execPath, [BIN, 'version'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, `${VERSION}\n`);
});

test('kinto version prints the version; no subcommand is a usage error (exit 2)', () => {
  const version = kinto(['version']);
  assert.equal(version.status, 0);
  assert.equal(version.stdout, `${VERSION}\n`);
  const none = kinto([]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /arguments are required: subcommand/);
  assert.equal(kinto(['--help']).status, 0);
  assert.equal(kinto(['frobnicate']).status, 2);
});

test('kinto init writes a config with secrets and only existing plugins; a second init exits 1', () => {
  const ini = join(tempDir(), 'sub', 'kinto.ini');
  const first = kinto(['init', '--ini', ini, '--backend', 'memory', '--cache-backend', 'memory']);
  assert.equal(first.status, 0, first.stderr);
  const text = readFileSync(ini, 'utf8');
  assert.match(text, /kinto\.userid_hmac_secret = [0-9a-f]{64}/);
  assert.match(text, /kinto\.default_bucket_hmac_secret = [0-9a-f]{64}/);
  assert.match(text, /use = egg:kinto/);
  const second = kinto(['init', '--ini', ini]);
  assert.equal(second.status, 1);
  assert.match(second.stderr, /already exists/);
  assert.equal(kinto(['init', '--ini', join(tempDir(), 'x.ini'), '--backend', 'mongodb']).status, 2);
});

test('kinto init then kinto start on the written file serves hello; SIGTERM stops it cleanly', async (t) => {
  const ini = join(tempDir(), 'kinto.ini');
  assert.equal(kinto(['init', '--ini', ini, '--backend', 'memory', '--cache-backend', 'memory']).status, 0);
  const { child, url, output } = await startServer(ini, t);
  const hello = (await (await fetch(`${url}/v1/`)).json()) as { project_name: string; config: { path: string } };
  assert.equal(hello.project_name, 'kinto');
  assert.equal(hello.config.path, ini);
  // 'close': the exit status once every byte of stdout has been read.
  const exit = new Promise<number | null>((resolveExit) => child.on('close', (code) => resolveExit(code)));
  child.kill('SIGTERM');
  assert.equal(await exit, 0);
  // Log lines are JSON on stdout, written per event-loop turn: none is lost at exit.
  const lines = output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { logger?: string; path?: string; code?: number; msg?: string });
  assert.ok(lines.some((l) => l.logger === 'request.summary' && l.path === '/v1/' && l.code === 200));
  assert.ok(lines.some((l) => l.msg === 'shutting down: finishing in-flight requests'));
});

test('a bad setting exits non-zero with one line naming the setting and the file', () => {
  const dir = tempDir();
  const ini = join(dir, 'bad.ini');
  writeFileSync(ini, '[server:main]\nport = abc\n[app:main]\nmultiauth.policies = basicauth\n');
  const result = kinto(['start', '--ini', ini]);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /KINTO_ERR_SETTING: invalid value "abc" for setting 'port' in .*bad\.ini/);
  const backend = join(dir, 'backend.ini');
  writeFileSync(backend, '[app:main]\nkinto.storage_backend = kinto.core.storage.mongodb\n');
  const unknown = kinto(['start', '--ini', backend]);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /unknown storage backend 'kinto.core.storage.mongodb' for setting 'storage_backend'/);
  const missing = kinto(['start', '--ini', join(dir, 'missing.ini')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /KINTO_ERR_CONFIG_FILE: cannot read configuration file .*missing\.ini: file not found/);
  assert.equal(kinto(['start', '--ini', ini, '--port', 'abc']).status, 1);
  assert.ok(!existsSync(join(dir, 'missing.ini')));
});

test('--workers with the memory backends is refused: each worker would hold its own data', () => {
  const dir = tempDir();
  const ini = join(dir, 'memory.ini');
  writeFileSync(ini, '[app:main]\nkinto.storage_backend = kinto.core.storage.memory\nkinto.permission_backend = memory\n');
  const result = kinto(['start', '--ini', ini, '--workers', '2', '--port', '0']);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /KINTO_ERR_SETTING: --workers 2 needs backends the workers share, but storage_backend = kinto.core.storage.memory in .*memory\.ini keeps its data in each process/);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  // Memory permissions beside PostgreSQL storage are refused too.
  const permissions = join(dir, 'permissions.ini');
  writeFileSync(permissions, '[app:main]\nkinto.storage_backend = kinto.core.storage.postgresql\nkinto.permission_backend = kinto.core.permission.memory\n');
  assert.match(kinto(['start', '--ini', permissions, '--workers', '3', '--port', '0']).stderr, /permission_backend = kinto.core.permission.memory/);
});
