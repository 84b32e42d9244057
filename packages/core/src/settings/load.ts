// From an `.ini` file (or a plain mapping) to frozen settings (settings.md §1–§2):
// `[app:main]` keys with or without the `kinto.` prefix, defaults, then environment
// overrides `KINTO_<KEY>` > `<KEY>` > file > default, every value JSON-decoded.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StartupError } from '../errors.js';
import { CORE_SETTINGS, type CoreSettings } from './core-settings.js';
import { interpolate, parseIni, IniSyntaxError } from './ini.js';
import { defaultsOf, validateSettings, type SettingsSpec } from './schema.js';
import { envName, nativeValue } from './values.js';

const PREFIX = 'kinto.';

export interface IniFile {
  path: string;
  app: Record<string, string>;
  server: Record<string, string>;
  /** Every other section, kept for plugins and tools (logging sections are tolerated, not applied). */
  sections: Record<string, Record<string, string>>;
}

/** Reads an `.ini` file; `%(here)s` is its folder and `%(http_port)s` the given port. */
export function readIniFile(path: string, vars: { http_port?: number | string } = {}): IniFile {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : String(error);
    throw new StartupError('KINTO_ERR_CONFIG_FILE', `cannot read configuration file ${path}: ${why}`);
  }
  let sections;
  try {
    sections = parseIni(text);
  } catch (error) {
    const message = error instanceof IniSyntaxError ? error.message : String(error);
    throw new StartupError('KINTO_ERR_CONFIG_FILE', `cannot parse configuration file ${path}: ${message}`);
  }
  const defaults = {
    here: dirname(absolute),
    __file__: absolute,
    http_port: String(vars.http_port ?? 8888),
    ...(sections.DEFAULT ?? {}),
  };
  const read = (name: string) => {
    try {
      return interpolate(sections[name] ?? {}, defaults, name);
    } catch (error) {
      throw new StartupError('KINTO_ERR_CONFIG_FILE', `${path}: ${(error as Error).message}`);
    }
  };
  if (!sections['app:main']) {
    throw new StartupError('KINTO_ERR_CONFIG_FILE', `configuration file ${path} has no [app:main] section`);
  }
  const app = read('app:main');
  const server = read('server:main');
  const others: Record<string, Record<string, string>> = {};
  for (const name of Object.keys(sections)) if (name !== 'app:main' && name !== 'server:main') others[name] = sections[name]!;
  return { path, app, server, sections: others };
}

/** Removes the `kinto.` prefix; both spellings with different values are a conflict (settings.md §2.1). */
export function normalizeKeys(raw: Record<string, unknown>, source?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'use' || key === 'filter-with') continue; // PasteDeploy's own keys
    const name = key.startsWith(PREFIX) ? key.slice(PREFIX.length) : key;
    if (name in out && JSON.stringify(out[name]) !== JSON.stringify(value)) {
      const where = source ? ` in ${source}` : '';
      throw new StartupError('KINTO_ERR_SETTING_CONFLICT', `Settings '${origin[name]}', '${key}' are in conflict${where}.`);
    }
    out[name] = value;
    origin[name] = key;
  }
  return out;
}

/** Applies `KINTO_<KEY>` and `<KEY>` environment overrides to every key of `values`. */
// Shells set `HOST` (zsh) for other purposes: only `KINTO_HOST` moves the listening address.
const PREFIXED_ONLY = new Set(['host']);

export function applyEnvironment(values: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out = { ...values };
  for (const key of Object.keys(values)) {
    const name = envName(key);
    const fromEnv = env[`KINTO_${name}`] ?? (PREFIXED_ONLY.has(key) ? undefined : env[name]);
    if (fromEnv !== undefined) out[key] = nativeValue(fromEnv);
  }
  return out;
}

export interface SettingsSource {
  /** The `.ini` path the settings came from (named in errors, shown in hello `config`). */
  iniPath?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The settings of one server: every key (core, plugins', unknown ones kept for plugins),
 * unprefixed and JSON-decoded, plus the typed core view.
 */
export class Settings {
  readonly core: Readonly<CoreSettings>;
  readonly iniPath: string | undefined;
  private readonly values: Record<string, unknown>;
  private readonly env: NodeJS.ProcessEnv;

  constructor(raw: Record<string, unknown>, source: SettingsSource = {}) {
    this.iniPath = source.iniPath;
    this.env = source.env ?? process.env;
    const decoded: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(normalizeKeys(raw, source.iniPath))) decoded[key] = nativeValue(value);
    const withDefaults = { ...defaultsOf(CORE_SETTINGS), ...decoded };
    this.values = applyEnvironment(withDefaults, this.env);
    this.core = validateSettings<CoreSettings>(CORE_SETTINGS, this.values, source.iniPath);
    for (const [key, value] of Object.entries(this.core)) this.values[key] = value;
  }

  /** The JSON-decoded value of a key (unprefixed), or undefined. */
  get(key: string): unknown {
    return this.values[key.startsWith(PREFIX) ? key.slice(PREFIX.length) : key];
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Every key starting with `prefix`, with the prefix removed: `multiauth.policy.fxa.` → `{use, realm}`. */
  withPrefix(prefix: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this.values)) if (key.startsWith(prefix)) out[key.slice(prefix.length)] = value;
    return out;
  }

  keys(): string[] {
    return Object.keys(this.values);
  }

  /**
   * Registers a plugin's settings: absent keys get the defaults, environment
   * overrides apply to them as to core keys, and the result is validated and frozen.
   */
  define<T>(spec: SettingsSpec): Readonly<T> {
    const added: Record<string, unknown> = {};
    for (const [key, s] of Object.entries(spec)) {
      if (!(key in this.values) && s.default !== undefined) added[key] = s.default;
    }
    Object.assign(this.values, applyEnvironment(added, this.env));
    const typed = validateSettings<T>(spec, this.values, this.iniPath);
    for (const [key, value] of Object.entries(typed as Record<string, unknown>)) this.values[key] = value;
    return typed;
  }

  /** Sets defaults for keys without a typed spec (plugins' free-form settings). */
  setDefaults(defaults: Record<string, unknown>): void {
    const added: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(defaults)) {
      const name = key.startsWith(PREFIX) ? key.slice(PREFIX.length) : key;
      if (!(name in this.values)) added[name] = value;
    }
    Object.assign(this.values, applyEnvironment(added, this.env));
  }

  /** A plain copy of every value (for tools and tests). */
  toJSON(): Record<string, unknown> {
    return { ...this.values };
  }
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** `kinto start --port/--host` (they win over `[server:main]`). */
  port?: number;
  host?: string;
}

/** Reads an `.ini` file into Settings; `[server:main]` host/port become `host`/`port`. */
export function loadSettingsFromIni(path: string, options: LoadOptions = {}): Settings {
  const ini = readIniFile(path, { http_port: options.port ?? 8888 });
  const raw: Record<string, unknown> = { ...ini.app };
  if (ini.server.host !== undefined && raw.host === undefined) raw.host = ini.server.host;
  if (ini.server.port !== undefined && raw.port === undefined) raw.port = ini.server.port;
  if (options.port !== undefined) raw.port = String(options.port);
  if (options.host !== undefined) raw.host = options.host;
  return new Settings(raw, { iniPath: path, env: options.env });
}
