// `kinto init` (settings.md §6, §6.1): writes a commented configuration file.
// Only plugins that exist in this installation are written in `kinto.includes`.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { PLUGIN_ALIASES } from '../aliases.js';
import type { Command, CommandContext } from './index.js';

const STORAGE = ['memory', 'postgresql'] as const;
const CACHES = ['memory', 'postgresql', 'redis'] as const;
const POSTGRES_URL = 'postgresql://postgres:postgres@localhost/postgres';

type Storage = (typeof STORAGE)[number];
type CacheBackend = (typeof CACHES)[number];

export interface TemplateOptions {
  backend: Storage;
  cacheBackend: CacheBackend;
  host: string;
  /** Plugin names available in this installation (the alias table by default). */
  available?: string[];
}

function secret(): string {
  return randomBytes(32).toString('hex');
}

export function renderConfig(options: TemplateOptions): string {
  const available = new Set(options.available ?? Object.keys(PLUGIN_ALIASES));
  const wanted = ['kinto.plugins.default_bucket', 'kinto.plugins.admin', 'kinto.plugins.accounts'];
  const includes = wanted.filter((p) => available.has(p));
  const accounts = available.has('kinto.plugins.accounts');
  const storageUrl = options.backend === 'postgresql' ? POSTGRES_URL : '';
  const cacheUrl = options.cacheBackend === 'postgresql' ? POSTGRES_URL : options.cacheBackend === 'redis' ? 'redis://127.0.0.1/0' : '';
  const auth = accounts
    ? [
        'multiauth.policies = account',
        'multiauth.policy.account.use = kinto.plugins.accounts.AccountsPolicy',
        '# Anyone can create an account; account:admin can manage every account.',
        'kinto.account_create_principals = system.Everyone',
        'kinto.account_write_principals = account:admin',
        'kinto.bucket_create_principals = account:admin',
      ]
    : [
        '# Any Basic credentials are accepted (user id = HMAC of user:password). Not for production.',
        'multiauth.policies = basicauth',
        'kinto.bucket_create_principals = system.Authenticated',
      ];
  return `# Kinto configuration, written by \`kinto init\` (kinto-ts).
# Every setting may also be given by environment: KINTO_<KEY> (e.g. KINTO_PAGINATE_BY=100).
# Reference: docs/configuration.md

[server:main]
use = egg:waitress#main
host = ${options.host}
port = %(http_port)s

[app:main]
use = egg:kinto

# Plugins, loaded in order.
kinto.includes = ${includes.join('\n                 ')}
#                 kinto.plugins.history

# Backends.
kinto.storage_backend = kinto.core.storage.${options.backend}
kinto.storage_url = ${storageUrl}
kinto.cache_backend = kinto.core.cache.${options.cacheBackend}
kinto.cache_url = ${cacheUrl}
kinto.permission_backend = kinto.core.permission.${options.backend}
kinto.permission_url = ${storageUrl}

# Secrets: HMAC keys for user ids and default bucket ids. Keep them private and stable.
kinto.userid_hmac_secret = ${secret()}
kinto.default_bucket_hmac_secret = ${secret()}

# Authentication.
${auth.join('\n')}

# Pagination and limits.
# kinto.paginate_by = 100
# kinto.batch_max_requests = 25
# kinto.storage_max_fetch_size = 10000

# Features.
# kinto.readonly = false
# kinto.experimental_collection_schema_validation = false
# kinto.experimental_permissions_endpoint = false

# Client behaviour.
# kinto.backoff = 10
# kinto.retry_after_seconds = 3
# kinto.eos =
# kinto.eos_message =
# kinto.eos_url =

# CORS.
# kinto.cors_origins = *

# Logging: JSON lines on stdout; kinto-ts reads the level from kinto.log_level.
# kinto.log_level = info

[loggers]
keys = root, kinto

[handlers]
keys = console

[formatters]
keys = color, json

[logger_root]
level = INFO
handlers = console

[logger_kinto]
level = DEBUG
handlers = console
qualname = kinto
propagate = 0

[handler_console]
class = kinto.core.StreamHandlerWithRequestID
args = (sys.stderr,)
level = NOTSET
formatter = color

[formatter_color]
class = logging_color_formatter.ColorFormatter

[formatter_json]
class = kinto.core.JsonLogFormatter
`;
}

async function ask<T extends string>(context: CommandContext, question: string, choices: Record<string, T>, fallback: T): Promise<T> {
  if (!process.stdin.isTTY) return fallback;
  const rl = createInterface({ input: process.stdin, output: context.stdout });
  try {
    for (;;) {
      const answer = (await rl.question(question)).trim();
      if (answer === '') return fallback;
      if (answer in choices) return choices[answer]!;
    }
  } finally {
    rl.close();
  }
}

export const initCommand: Command = {
  name: 'init',
  summary: 'Create a configuration file.',
  usage: '[--ini FILE] [--backend memory|postgresql] [--cache-backend memory|postgresql|redis] [--host HOST]',
  options: {
    backend: { type: 'string' },
    'cache-backend': { type: 'string' },
    host: { type: 'string' },
  },
  async run(context) {
    if (existsSync(context.ini)) {
      context.stderr.write(`${context.ini} already exists.\n`);
      return 1;
    }
    let backend = context.values.backend as string | undefined;
    let cacheBackend = context.values['cache-backend'] as string | undefined;
    if (backend !== undefined && !(STORAGE as readonly string[]).includes(backend)) {
      context.stderr.write(`kinto init: error: argument --backend: invalid choice: '${backend}' (choose from ${STORAGE.join(', ')})\n`);
      return 2;
    }
    if (cacheBackend !== undefined && !(CACHES as readonly string[]).includes(cacheBackend)) {
      context.stderr.write(`kinto init: error: argument --cache-backend: invalid choice: '${cacheBackend}' (choose from ${CACHES.join(', ')})\n`);
      return 2;
    }
    backend ??= await ask(context, 'Select the backend you would like to use: (1 - postgresql, default - memory) ', { '1': 'postgresql' as Storage }, 'memory');
    cacheBackend ??= await ask(
      context,
      'Select the cache backend you would like to use: (1 - postgresql, 2 - redis, default - memory) ',
      { '1': 'postgresql' as CacheBackend, '2': 'redis' as CacheBackend },
      'memory',
    );
    const text = renderConfig({
      backend: backend as Storage,
      cacheBackend: cacheBackend as CacheBackend,
      host: (context.values.host as string | undefined) ?? '127.0.0.1',
    });
    mkdirSync(dirname(context.ini), { recursive: true });
    writeFileSync(context.ini, text, { mode: 0o600 });
    context.stdout.write(`${context.ini} written.\n`);
    return 0;
  },
};
