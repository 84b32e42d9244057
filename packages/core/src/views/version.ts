// `/__version__` (kinto-api.md §10.3): the JSON of `version_json_path`; a missing
// file is a 500, as in Kinto (the deployment is broken, not the client).
import { readFile } from 'node:fs/promises';
import type { KintoApp } from '../app.js';
import { internalError } from '../errors.js';

export function registerVersion(kinto: KintoApp): void {
  const { registry } = kinto;
  let cached: unknown;
  kinto.service({
    name: 'version',
    path: '/__version__',
    methods: {
      GET: async () => {
        if (cached === undefined) {
          const path = registry.settings.core.version_json_path;
          try {
            cached = JSON.parse(await readFile(path, 'utf8')) as unknown;
          } catch (error) {
            throw internalError(registry.settings.core.error_info_link, error);
          }
        }
        return cached;
      },
    },
  });
}
