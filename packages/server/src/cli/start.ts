// `kinto start`: serve the application described by the `.ini` file. SIGINT and
// SIGTERM close the server gracefully: in-flight requests finish, then exit 0.
import { loadSettingsFromIni, StartupError } from '@kinto-ts/core';
import { createServer } from '../app.js';
import { applyHeapSettings } from '../heap.js';
import type { Command } from './index.js';
import { checkSharedBackends, isPrimaryOf, leaveCluster, notifyListening, parseWorkers, runPrimary } from './workers.js';

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new StartupError('KINTO_ERR_SETTING', `invalid value '${value}' for --port: must be an integer between 0 and 65535`);
  }
  return Number(value);
}

const GRACE_MS = 10_000;

export const startCommand: Command = {
  name: 'start',
  summary: 'Start the server.',
  usage: '[--ini FILE] [--port N] [--host H] [--workers N] [-q | -v]',
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    reload: { type: 'boolean' },
    workers: { type: 'string' },
  },
  async run(context) {
    const port = parsePort(context.values.port as string | undefined);
    const host = context.values.host as string | undefined;
    const workers = parseWorkers(context.values.workers as string | undefined);
    const settings = loadSettingsFromIni(context.ini, { port, host });
    checkSharedBackends(workers, settings);
    if (isPrimaryOf(workers)) {
      return runPrimary(workers, { info: (m) => context.stderr.write(`${m}\n`), error: (m) => context.stderr.write(`${m}\n`) });
    }
    applyHeapSettings(settings);
    const kinto = await createServer(settings, context.logLevel !== 'info' ? { logLevel: context.logLevel } : {});
    const address = await kinto.listen();
    kinto.app.log.info({ address }, `kinto listening on ${address}`);
    notifyListening(address);
    await new Promise<void>((resolve) => {
      let closing = false;
      const stop = (signal: string) => {
        if (closing) return;
        closing = true;
        kinto.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
        // Connections opened but never used (browsers preconnect) are not "idle" for
        // Node and would hold the close until the headers timeout: past the grace
        // period, they are dropped.
        const grace = setTimeout(() => kinto.app.server.closeAllConnections(), GRACE_MS);
        grace.unref();
        kinto
          .close()
          .catch((error: unknown) => kinto.app.log.error({ err: error }, 'error while closing'))
          .finally(() => {
            leaveCluster();
            resolve();
          });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    return 0;
  },
};
