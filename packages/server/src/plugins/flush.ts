// `kinto.plugins.flush` (kinto-api.md §B2): `POST /__flush__` empties every backend.
// No authentication: it is meant for test servers only.
import { definePlugin } from '@kinto-ts/core';

export default definePlugin({
  name: 'kinto.plugins.flush',
  includeme(api) {
    api.addCapability('flush_endpoint', {
      description: 'The __flush__ endpoint can be used to remove all data from all backends.',
      url: 'https://kinto.readthedocs.io/en/latest/api/1.x/flush.html',
    });
    api.service({
      name: 'flush',
      path: '/__flush__',
      methods: {
        POST: async (request, reply) => {
          await Promise.all([api.storage.flush(), api.permission.flush(), api.cache.flush()]);
          await api.events.emit({ type: 'ServerFlushed', request });
          reply.code(202);
          return {};
        },
      },
    });
  },
});
