// The one table mapping the names users write in `kinto.includes` (Python module
// names of Kinto and kinto-fxa, short names) to kinto-ts plugins.
import type { PluginSource } from '@kinto-ts/core';

export const PLUGIN_ALIASES: Record<string, PluginSource> = {
  // Built-in plugins (kinto-api.md Part B), loaded on demand.
  'kinto.plugins.default_bucket': () => import('./plugins/default-bucket.js'),
  default_bucket: 'kinto.plugins.default_bucket',
  'default-bucket': 'kinto.plugins.default_bucket',
  'kinto.plugins.flush': () => import('./plugins/flush.js'),
  flush: 'kinto.plugins.flush',
  'kinto.plugins.accounts': () => import('./plugins/accounts/index.js'),
  '@kinto-ts/server/accounts': 'kinto.plugins.accounts',
  accounts: 'kinto.plugins.accounts',
  'kinto.plugins.history': () => import('./plugins/history/index.js'),
  '@kinto-ts/server/history': 'kinto.plugins.history',
  history: 'kinto.plugins.history',
  'kinto.plugins.admin': () => import('./plugins/admin/index.js'),
  '@kinto-ts/server/admin': 'kinto.plugins.admin',
  admin: 'kinto.plugins.admin',
  // External plugins, installed as npm packages next to the server.
  kinto_fxa: '@kinto-ts/fxa',
  'kinto-fxa': '@kinto-ts/fxa',
  'kinto.plugins.openid': '@kinto-ts/openid',
};
