// `kinto migrate` (settings.md §6): creates or upgrades the PostgreSQL schemas of the
// cache, storage and permission backends, in Kinto's order; memory backends need
// nothing. In read-only mode the storage and permission schemas are left alone.
// Safe to run again, and from several processes at once (an advisory lock serialises them).
import { BackendError, StartupError, createBackends, isMigratable, loadSettingsFromIni, type Backends, type Logger } from '@kinto-ts/core';
import { pino } from 'pino';
import type { Command, CommandContext } from './index.js';

// Shared by the maintenance subcommands (migrate, flush-cache, purge-deleted).
/** JSON log lines on stderr at the level of `-q`/`-v` (stdout stays free for output). */
export function cliLogger(context: CommandContext): Logger {
  return pino(
    { level: context.logLevel, name: 'kinto', timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: 2, sync: true }),
  ) as unknown as Logger;
}

export async function closeBackends(backends: Backends): Promise<void> {
  await Promise.allSettled([backends.storage.close(), backends.permission.close(), backends.cache.close()]);
}

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Create or upgrade the database schemas of the backends.',
  usage: '[--ini FILE] [--dry-run]',
  options: { 'dry-run': { type: 'boolean' } },
  async run(context) {
    const settings = loadSettingsFromIni(context.ini);
    const log = cliLogger(context);
    const backends = await createBackends({ settings, log });
    const dryRun = context.values['dry-run'] === true;
    try {
      for (const [kind, backend] of [
        ['cache', backends.cache],
        ['storage', backends.storage],
        ['permission', backends.permission],
      ] as const) {
        if (settings.core.readonly && kind !== 'cache') {
          log.error(`Cannot migrate the ${kind} backend while in readonly mode.`);
          continue;
        }
        if (isMigratable(backend)) await backend.migrate({ dryRun, log });
      }
    } catch (error) {
      if (error instanceof BackendError) throw new StartupError('KINTO_ERR_BACKEND', error.message, { cause: error });
      throw error;
    } finally {
      await closeBackends(backends);
    }
    return 0;
  },
};
