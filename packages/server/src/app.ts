// The Kinto application: the core framework plus Kinto's resources (buckets,
// collections, groups, records), its utility endpoints and built-in plugins.
import { createKinto, loadSettingsFromIni, registerSchemaValidation, resourceHost, type CreateKintoOptions, type KintoApp, type Settings } from '@kinto-ts/core';
import { applyHeapSettings } from './heap.js';
import { PLUGIN_ALIASES } from './aliases.js';
import { VERSION } from './version.js';
import { registerBuckets } from './views/buckets.js';
import { registerCollections } from './views/collections.js';
import { registerGroups } from './views/groups.js';
import { registerPermissionsEndpoint } from './views/permissions.js';
import { PERMISSIONS_ENDPOINT_FLAG } from './plugins/admin/flag.js';
import { registerRecords } from './views/records.js';
import { registerUserData } from './views/user-data.js';

export interface ServerOptions extends Omit<CreateKintoOptions, 'setup'> {}

/** Builds the Kinto application from settings (the views of `kinto/views/*`). */
export async function createServer(settings: Settings, options: ServerOptions = {}): Promise<KintoApp> {
  return createKinto(settings, {
    version: VERSION,
    ...options,
    plugins: { ...PLUGIN_ALIASES, ...options.plugins },
    // Kinto's resources, after the plugins of `kinto.includes` (settings.md §4.1 step 5).
    setup: async (kinto) => {
      const host = resourceHost(kinto);
      registerBuckets(host);
      registerCollections(host);
      registerGroups(host);
      registerRecords(host);
      registerUserData(host);
      // `/permissions` (kinto-api.md §10.6): the setting, or the admin UI which needs it.
      const { registry } = kinto;
      // The admin plugin raises the flag under any of its include names (kinto.plugins.admin, admin, @kinto-ts/server/admin).
      const adminIncluded = registry.extras.get(PERMISSIONS_ENDPOINT_FLAG) === true || registry.includes.includes('kinto.plugins.admin');
      if (registry.settings.core.experimental_permissions_endpoint || adminIncluded) {
        if (!registry.capabilities.has('permissions_endpoint')) {
          registry.addCapability('permissions_endpoint', {
            description: 'The permissions endpoint can be used to list all user objects permissions.',
            url: 'https://kinto.readthedocs.io/en/latest/configuration/settings.html#activating-the-permissions-endpoint',
          });
        }
        registerPermissionsEndpoint(host);
      }
      // JSON schemas of collections and buckets (kinto-api.md §9).
      registerSchemaValidation(kinto);
    },
  });
}

export async function createServerFromIni(path: string, options: ServerOptions & { port?: number; host?: string; env?: NodeJS.ProcessEnv } = {}) {
  const { port, host, env, ...rest } = options;
  const settings = loadSettingsFromIni(path, { port, host, env });
  applyHeapSettings(settings);
  return createServer(settings, rest);
}
