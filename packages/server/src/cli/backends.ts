// Shared by the maintenance subcommands (migrate, flush-cache, purge-deleted,
// create-user): settings, a stderr logger, the backends, and their clean release.
import { BackendError, StartupError, createBackends, loadSettingsFromIni, type Backends, type Logger, type Settings } from '@kinto-ts/core';
import { pino } from 'pino';
import type { CommandContext } from './index.js';

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

export interface BackendsContext {
  settings: Settings;
  log: Logger;
  backends: Backends;
}

/**
 * Runs `fn` with the backends of the `.ini` file and closes them afterwards; a
 * backend that cannot be reached is a start-up error (one line, exit 1), not a stack.
 */
export async function withBackends<T>(context: CommandContext, fn: (ctx: BackendsContext) => Promise<T>): Promise<T> {
  const settings = loadSettingsFromIni(context.ini);
  const log = cliLogger(context);
  const backends = await createBackends({ settings, log });
  try {
    return await fn({ settings, log, backends });
  } catch (error) {
    if (error instanceof BackendError) throw new StartupError('KINTO_ERR_BACKEND', error.message, { cause: error });
    throw error;
  } finally {
    await closeBackends(backends);
  }
}
