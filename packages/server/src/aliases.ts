// The one table mapping the names users write in `kinto.includes` (Python module
// names of Kinto and kinto-fxa, short names) to kinto-ts plugins.
import type { PluginSource } from '@kinto-ts/core';

export const PLUGIN_ALIASES: Record<string, PluginSource> = {
  // External plugins, installed as npm packages next to the server.
  kinto_fxa: '@kinto-ts/fxa',
  'kinto-fxa': '@kinto-ts/fxa',
  'kinto.plugins.openid': '@kinto-ts/openid',
};
