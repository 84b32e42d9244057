// The `kinto-fxa` command (fxa.md §10.1):
//   kinto-fxa [--ini FILE] process-account-events QUEUE_NAME [--aws-region R] [--queue-wait-time S]
// The configuration is loaded exactly as the server loads it (settings, plugins,
// backends); SIGINT/SIGTERM stop the worker after the message in hand.
import { parseArgs } from 'node:util';
import { StartupError, loadSettingsFromIni, resourceCatalog, type KintoApp } from '@kinto-ts/core';
import { createServer } from '@kinto-ts/server';
import { DEFAULT_CLIENT, parseClients, type FxaConfig } from '../config.js';
import { FXA_CONFIG_KEY, isFxaPolicy } from '../plugin.js';
import { AccountEventProcessor } from './processor.js';
import { LinesQueue, SqsQueue, type AccountEventQueue } from './queue.js';
import { runWorker } from './worker.js';

export const USAGE = `usage: kinto-fxa [--ini INI_FILE] process-account-events QUEUE_NAME [--aws-region REGION] [--queue-wait-time SECONDS]
       kinto-fxa [--ini INI_FILE] process-account-events --from-file PATH

Deletes the default buckets of deleted Firefox Accounts, read from FxA's SQS queue.

options:
  --ini INI_FILE            configuration file (default: $KINTO_INI or config/kinto.ini)
  --aws-region REGION       AWS region of the queue (default: the AWS SDK's region chain)
  --queue-wait-time SECONDS long-poll wait per receive call (default: 20)
  --from-file PATH          read message bodies from a file, one per line (- for stdin)
  -h, --help                show this help`;

export interface CommandLine {
  ini: string;
  command: 'process-account-events';
  queue: string | null;
  region: string | null;
  waitTimeSeconds: number;
  fromFile: string | null;
}

export type Parsed = { ok: true; line: CommandLine } | { ok: false; status: 0 | 2; message: string };

export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Parsed {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        ini: { type: 'string' },
        'aws-region': { type: 'string' },
        'queue-wait-time': { type: 'string' },
        'from-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return { ok: false, status: 2, message: `kinto-fxa: error: ${(error as Error).message}` };
  }
  const { values, positionals } = parsed;
  if (values.help) return { ok: false, status: 0, message: USAGE };
  const [command, queue, ...extra] = positionals;
  if (command === undefined) return { ok: false, status: 2, message: 'kinto-fxa: error: the following arguments are required: subcommand' };
  if (command !== 'process-account-events') {
    return { ok: false, status: 2, message: `kinto-fxa: error: invalid choice: '${command}' (choose from 'process-account-events')` };
  }
  if (extra.length) return { ok: false, status: 2, message: `kinto-fxa: error: unrecognized arguments: ${extra.join(' ')}` };
  const fromFile = values['from-file'] ?? null;
  if ((queue === undefined) === (fromFile === null)) {
    return { ok: false, status: 2, message: 'kinto-fxa: error: give either QUEUE_NAME or --from-file PATH' };
  }
  const wait = values['queue-wait-time'] ?? '20';
  if (!/^\d+$/.test(wait)) return { ok: false, status: 2, message: `kinto-fxa: error: argument --queue-wait-time: invalid int value: '${wait}'` };
  return {
    ok: true,
    line: {
      ini: values.ini ?? env.KINTO_INI ?? 'config/kinto.ini',
      command,
      queue: queue ?? null,
      region: values['aws-region'] ?? null,
      waitTimeSeconds: Number(wait),
      fromFile,
    },
  };
}

/** User id prefixes: every `multiauth.policy.NAME.use` naming the FxA policy, as the core prefixes ids (lower-cased). */
export function fxaPrefixes(kinto: KintoApp): string[] {
  const settings = kinto.registry.settings;
  const names = settings
    .keys()
    .map((key) => /^multiauth\.policy\.([^.]+)\.use$/.exec(key)?.[1])
    .filter((name): name is string => name !== undefined && isFxaPolicy(settings.get(`multiauth.policy.${name}.use`)));
  return [...new Set(names.map((name) => `${name.toLowerCase()}:`))];
}

/** Builds the worker's processor from a server built from the configuration. */
export function processorFor(kinto: KintoApp): AccountEventProcessor {
  const { registry } = kinto;
  const config = registry.extras.get(FXA_CONFIG_KEY) as FxaConfig | undefined;
  const clients = config?.clients ?? parseClients(registry.settings).clients;
  const catalog = resourceCatalog({ lookup: (key) => registry.extras.get(key) as never, provide: (key, value) => registry.extras.set(key, value) });
  const names = catalog.all().map((d) => d.name);
  const log = registry.log.child({ name: 'kinto_fxa.account_events' });
  return new AccountEventProcessor({
    target: {
      storage: registry.storage,
      permission: registry.permission,
      resourceNames: names.length ? names : ['collection', 'group', 'record', 'history'],
      defaultBucketSecret: registry.settings.core.default_bucket_hmac_secret,
      log,
    },
    prefixes: fxaPrefixes(kinto),
    clients: [...clients.keys()].filter((name) => name !== DEFAULT_CLIENT),
    log,
  });
}

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function main(argv: readonly string[], io: Io = process, signal?: AbortSignal): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (!parsed.ok) {
    (parsed.status === 0 ? io.stdout : io.stderr).write(parsed.status === 0 ? `${parsed.message}\n` : `${USAGE}\n\n${parsed.message}\n`);
    return parsed.status;
  }
  const { line } = parsed;
  let kinto: KintoApp;
  try {
    kinto = await createServer(loadSettingsFromIni(line.ini));
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    io.stderr.write(`kinto-fxa: ${error.code}: ${error.message}\n`);
    return 1;
  }
  const log = kinto.registry.log;
  const stop = new AbortController();
  const onSignal = (name: string) => {
    log.info(`kinto-fxa: ${name} received, stopping after the message in hand`);
    stop.abort();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  signal?.addEventListener('abort', () => stop.abort());
  let queue: AccountEventQueue | undefined;
  try {
    const endpoint = kinto.registry.settings.get('fxa-oauth.sqs.endpoint_url');
    queue = line.fromFile
      ? new LinesQueue(line.fromFile)
      : await SqsQueue.open({
          queueName: line.queue!,
          region: line.region,
          endpoint: typeof endpoint === 'string' && endpoint !== '' ? endpoint : null,
          waitTimeSeconds: line.waitTimeSeconds,
        });
    return await runWorker(queue, processorFor(kinto), stop.signal, log);
  } catch (error) {
    log.error({ err: error }, 'Error while processing account events');
    return 1;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    queue?.close();
    await kinto.close();
  }
}
