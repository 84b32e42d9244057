// `kinto start --workers N`: N server processes sharing one port through node:cluster.
// Workers are stateless — data, permissions, cache, token verifications and OAuth
// states live in PostgreSQL and Redis — so any of them may answer any request (with
// memory backends each worker would have its own data: use one process, or none of this).
//
// The primary only supervises: SIGINT/SIGTERM are passed on and it exits once every
// worker has finished its in-flight requests; a worker dying after start-up is
// replaced; a worker failing before it listens (bad configuration, database down,
// outdated schema) stops them all with its exit status.
import cluster, { type Worker } from 'node:cluster';
import { StartupError, type Settings } from '@kinto-ts/core';

const LISTENING = 'kinto:listening';

export function parseWorkers(value: string | undefined): number {
  if (value === undefined) return 1;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1024) {
    throw new StartupError('KINTO_ERR_SETTING', `invalid value '${value}' for --workers: must be an integer between 1 and 1024`);
  }
  return Number(value);
}

/** The names of the in-process storage and permission backends (core's backends.ts). */
const IN_PROCESS = new Set([
  'memory',
  'kinto.core.storage.memory',
  'kinto.core.permission.memory',
  '@kinto-ts/core/storage/memory',
  '@kinto-ts/core/permission/memory',
]);

/**
 * Several workers need storage and permissions they share: with the memory backends
 * each worker would hold its own data, and a record written through one would be
 * missing from the next read answered by another. Refused at start-up.
 */
export function checkSharedBackends(workers: number, settings: Settings): void {
  if (workers <= 1) return;
  for (const key of ['storage_backend', 'permission_backend'] as const) {
    const name = settings.core[key];
    if (!IN_PROCESS.has(name)) continue;
    const where = settings.iniPath ? ` in ${settings.iniPath}` : '';
    throw new StartupError(
      'KINTO_ERR_SETTING',
      `--workers ${workers} needs backends the workers share, but ${key} = ${name}${where} keeps its data in each process: use PostgreSQL, or one process`,
    );
  }
}

/** In a worker, tells the primary that this process serves requests. */
export function notifyListening(address: string): void {
  if (cluster.isWorker) process.send?.({ type: LISTENING, address });
}

/** In a worker whose server has closed: leaves the cluster, whose IPC channel would keep the process alive. */
export function leaveCluster(): void {
  if (cluster.isWorker) cluster.worker?.disconnect();
}

export function isPrimaryOf(workers: number): boolean {
  return workers > 1 && cluster.isPrimary;
}

interface Log {
  info(message: string): void;
  error(message: string): void;
}

/** Runs the primary: forks `count` workers (same command line) and resolves with the exit status. */
export function runPrimary(count: number, log: Log): Promise<number> {
  return new Promise((resolve) => {
    const listening = new Set<Worker>();
    let stopping = false;
    let status = 0;

    const fork = () => {
      const worker = cluster.fork();
      worker.on('message', (message: { type?: string; address?: string }) => {
        if (message?.type !== LISTENING || listening.has(worker)) return;
        listening.add(worker);
        if (listening.size === count) log.info(`kinto: ${count} workers listening on ${message.address}`);
      });
    };

    // SIGTERM whatever the primary got: a terminal's Ctrl-C also sends SIGINT to the
    // workers themselves, and each signal is handled once by `kinto start`.
    const stop = () => {
      if (stopping) return;
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    };

    cluster.on('exit', (worker, code, signal) => {
      const started = listening.delete(worker);
      if (!stopping && started) {
        log.error(`kinto: worker ${worker.process.pid} exited (${signal ?? code}), starting another one`);
        fork();
        return;
      }
      if (!stopping) {
        // It never listened: the other workers would fail the same way.
        log.error(`kinto: worker ${worker.process.pid} failed to start (exit ${signal ?? code}), stopping`);
        status = code || 1;
        stop();
      }
      if (Object.keys(cluster.workers ?? {}).length === 0) resolve(status);
    });

    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    for (let i = 0; i < count; i++) fork();
  });
}
