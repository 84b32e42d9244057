// Starts a measured server (Kinto or the bare-fastify ceiling) in its own process
// and reads its memory from /proc: RSS now, and the peak since the last reset
// (VmHWM, reset by writing 5 to clear_refs — Linux ≥ 4.0).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectCode, type Code } from './code.js';

const CHILD = fileURLToPath(new URL('./server-child.mjs', import.meta.url));
const START_TIMEOUT_MS = 120_000;
const live = new Set<ChildProcess>();
let code: Code = selectCode('sources');

let profileDir: string | null = null;
let extraNodeOptions: string[] = [];

/** Node options given to every Kinto process started from now on (`--node-option`, e.g. heap tuning). */
export function kintoNodeOptions(options: string[]): void {
  extraNodeOptions = options;
}

/** The code Kinto processes run from now on (the build or the sources). */
export function useCode(selected: Code): void {
  code = selected;
}

/** Kinto processes started from now on write a V8 CPU profile into `dir` when they stop. */
export function profileInto(dir: string): void {
  profileDir = dir;
}

export function currentCode(): Code {
  return code;
}

/** What server-child.mjs is asked to start, and what it answers. */
type ChildSpec = { kind: 'kinto'; ini: string; plugins: Record<string, string> } | { kind: 'ceiling'; routes: Record<string, string> };
type ChildMessage = { type: 'listening'; url: string } | { type: 'failed'; error: string } | { type: 'gc-done'; memory: NodeJS.MemoryUsage };

const tempDirs = new Set<string>();

// A crashed or interrupted bench must not leave servers or generated `.ini` files behind.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

export interface ServerHandle {
  readonly url: string;
  readonly pid: number;
  /** Resident set size now, in bytes (null where /proc is missing). */
  rssBytes(): number | null;
  /** The anonymous part of it (heaps, malloc), without the mapped Node binary and libraries. */
  rssAnonBytes(): number | null;
  /** Forgets the peak so far; the next `peakRssBytes` covers what follows. */
  resetPeak(): void;
  peakRssBytes(): number | null;
  /** Runs a full garbage collection in the server (to read retained memory); its memory usage after it. */
  gc(): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}

export interface KintoOptions {
  /** `[app:main]` keys and values, as in a user's `.ini`. */
  settings: Record<string, string | number | boolean>;
  /** Include names → absolute paths of plugin entry points (workspace plugins are not installed at the root). */
  plugins?: Record<string, string>;
  /** Runs `kinto migrate` with the same `.ini` first (PostgreSQL schemas). */
  migrate?: boolean;
}

function procStatus(pid: number, field: string): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function iniText(settings: KintoOptions['settings']): string {
  const lines = ['[app:main]', 'use = egg:kinto'];
  for (const [key, value] of Object.entries(settings)) {
    const text = String(value);
    if (/[\r\n]/.test(text)) throw new Error(`setting ${key}: multi-line values are not supported by the bench`);
    lines.push(`${key} = ${text}`);
  }
  return `${lines.join('\n')}\n`;
}

async function launch(spec: ChildSpec, cleanup: () => void = () => {}): Promise<ServerHandle> {
  // The ceiling needs no loader; Kinto runs from the build or through tsx.
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const nodeArgs = spec.kind === 'kinto' ? [...code.nodeArgs, ...extraNodeOptions, ...profile] : [];
  const child = spawn(process.execPath, ['--expose-gc', ...nodeArgs, CHILD, JSON.stringify(spec)], {
    // Kinto's request logs go to /dev/null: their cost is measured, their bytes are not kept.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  live.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    live.delete(child);
    cleanup();
  });

  const url = await new Promise<string>((resolve, reject) => {
    const finish = (error: Error | null, value = '') => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value);
    };
    const onMessage = (message: ChildMessage) => {
      if (message.type === 'listening') finish(null, message.url);
      else if (message.type === 'failed') finish(new Error(`server failed to start: ${message.error}`));
    };
    const onExit = (code: number | null) => finish(new Error(`server exited during start-up (code ${code})\n${stderr}`));
    const timer = setTimeout(() => finish(new Error(`server did not start within ${START_TIMEOUT_MS / 1000} s\n${stderr}`)), START_TIMEOUT_MS);
    child.on('message', onMessage);
    child.once('exit', onExit);
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });

  const pid = child.pid!;
  return {
    url,
    pid,
    rssBytes: () => procStatus(pid, 'VmRSS'),
    rssAnonBytes: () => procStatus(pid, 'RssAnon'),
    resetPeak() {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        // Without clear_refs the peak covers the whole life of the process.
      }
    },
    peakRssBytes: () => procStatus(pid, 'VmHWM'),
    gc: () =>
      new Promise<NodeJS.MemoryUsage>((resolve) => {
        const onMessage = (message: ChildMessage) => {
          if (message.type !== 'gc-done') return;
          child.off('message', onMessage);
          resolve(message.memory);
        };
        child.on('message', onMessage);
        child.send({ type: 'gc' });
      }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // Disconnecting asks the child to close gracefully; a stuck one is killed.
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      if (child.connected) child.disconnect();
      else child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Kinto from a generated `.ini` (the same path as `kinto start --ini`). */
export async function startKinto(options: KintoOptions): Promise<ServerHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'kinto-bench-'));
  tempDirs.add(dir);
  const ini = join(dir, 'bench.ini');
  writeFileSync(ini, iniText(options.settings));
  if (options.migrate) {
    const result = spawnSync(process.execPath, [...code.nodeArgs, code.cli, 'migrate', '--ini', ini], { encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`kinto migrate failed (${result.status}): ${(result.stderr || result.stdout).slice(-1000)}`);
    }
  }
  return launch({ kind: 'kinto', ini, plugins: options.plugins ?? {} }, () => {
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  });
}

/** The machine's ceiling: bare fastify answering each path with the given bytes. */
export async function startCeiling(routes: Record<string, Buffer>): Promise<ServerHandle> {
  const encoded: Record<string, string> = {};
  for (const [path, body] of Object.entries(routes)) encoded[path] = body.toString('base64');
  return launch({ kind: 'ceiling', routes: encoded });
}
