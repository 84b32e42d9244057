// A complete kinto-ts plugin, as small as Kinto's `kinto/plugins/flush.py`.
// Enable it with `kinto.includes = ./examples/hello-plugin/index.js` (paths are
// relative to the .ini file) or publish it on npm and list its package name.
//
// It registers a setting with a default, a capability, a heartbeat check, a
// route under /v1 and a listener of resource events. See docs/plugins.md.
import { definePlugin, unauthorized } from '@kinto-ts/core';

export default definePlugin({
  name: 'hello-plugin',
  includeme(api) {
    // Typed settings: `hello.greeting` in the .ini, `KINTO_HELLO_GREETING` in the environment.
    const settings = api.defineSettings({
      'hello.greeting': { type: 'string', default: 'Hello' },
      'hello.healthy': { type: 'boolean', default: true },
    });

    api.addCapability('hello', {
      description: 'Greets authenticated users.',
      url: 'https://example.com/hello-plugin',
      greeting: settings['hello.greeting'],
    });

    api.addHeartbeat('hello', async () => settings['hello.healthy']);

    api.service({
      name: 'hello-greeting',
      path: '/hello',
      methods: {
        GET: async (request) => {
          const identity = await api.authenticate(request);
          if (!identity.userId) throw unauthorized(api.challenges());
          return { greeting: `${settings['hello.greeting']}, ${identity.userId}!` };
        },
      },
    });

    const counts = { create: 0, update: 0, delete: 0 };
    api.provide('hello.counts', counts);
    api.events.on('AfterResourceChanged', (event) => {
      counts[event.payload.action] += event.impacted_objects.length;
    });
  },
});
