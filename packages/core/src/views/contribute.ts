// `/contribute.json`: static contribution metadata.
import type { KintoApp } from '../app.js';

export function registerContribute(kinto: KintoApp): void {
  const core = kinto.registry.settings.core;
  const body = {
    name: core.project_name,
    description: 'Kinto is a minimalist JSON storage service with synchronisation and sharing abilities (kinto-ts implementation).',
    repository: { url: 'https://github.com/Kinto/kinto', license: 'Apache-2.0' },
    participate: { docs: core.project_docs },
    bugs: { list: core.error_info_link },
    keywords: ['typescript', 'node', 'json', 'storage', 'sync'],
  };
  kinto.service({ name: 'contribute', path: '/contribute.json', methods: { GET: async () => body } });
}
