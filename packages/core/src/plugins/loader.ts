// Resolves the names of `kinto.includes` (npm names, Python names through the alias
// table, or paths to local modules) to plugin objects.
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StartupError } from '../errors.js';
import type { KintoPlugin, PluginModule } from './api.js';

/** What an include name can map to: another module name, a plugin, or a lazy import of one. */
export type PluginSource = string | PluginModule | (() => Promise<{ default: PluginModule } | PluginModule>);

export interface LoaderOptions {
  /** Python and short names → sources (the server's alias table, tests' plugins). */
  aliases?: Record<string, PluginSource>;
  /** Folders to resolve npm names and relative paths from (the `.ini` folder, the cwd). */
  baseDirs?: string[];
}

function toPlugin(name: string, loaded: unknown): KintoPlugin {
  const candidate = (loaded as { default?: unknown })?.default ?? loaded;
  if (typeof candidate === 'function') return { name, includeme: candidate as KintoPlugin['includeme'] };
  if (candidate && typeof candidate === 'object' && typeof (candidate as KintoPlugin).includeme === 'function') {
    return candidate as KintoPlugin;
  }
  throw new StartupError('KINTO_ERR_PLUGIN', `'${name}' in kinto.includes is not a kinto-ts plugin (no default export with includeme)`);
}

async function importModule(spec: string, baseDirs: string[]): Promise<unknown> {
  const local = spec.startsWith('.') || isAbsolute(spec);
  const errors: string[] = [];
  for (const base of baseDirs) {
    try {
      const path = local ? resolve(base, spec) : createRequire(join(base, 'package.json')).resolve(spec);
      return await import(pathToFileURL(path).href);
    } catch (error) {
      errors.push((error as Error).message.split('\n')[0]!);
    }
  }
  if (!local) {
    try {
      return await import(spec);
    } catch (error) {
      errors.push((error as Error).message.split('\n')[0]!);
    }
  }
  throw new StartupError('KINTO_ERR_PLUGIN', `cannot load plugin '${spec}' listed in kinto.includes: ${errors[0] ?? 'not found'}`);
}

export async function loadPlugin(name: string, options: LoaderOptions = {}): Promise<KintoPlugin> {
  const baseDirs = options.baseDirs ?? [process.cwd()];
  let source: PluginSource = options.aliases?.[name] ?? name;
  // Aliases may chain once (`kinto_fxa` → `@kinto-ts/fxa`).
  if (typeof source === 'string' && source !== name && options.aliases?.[source]) source = options.aliases[source]!;
  if (typeof source === 'string') return toPlugin(name, await importModule(source, baseDirs));
  if (typeof source === 'function' && source.length === 0) {
    return toPlugin(name, await (source as () => Promise<unknown>)());
  }
  return toPlugin(name, source);
}

export function defaultBaseDirs(iniPath: string | undefined): string[] {
  const dirs = [process.cwd()];
  if (iniPath) dirs.unshift(dirname(resolve(iniPath)));
  return [...new Set(dirs)];
}
