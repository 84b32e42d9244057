// A test plugin with one protected view (`GET /v1/protected`): 401 with every
// policy's challenge when anonymous, else the user id and getUserProfile().
import { definePlugin, unauthorized } from '@kinto-ts/core';
import { getUserProfile } from '@kinto-ts/openid';

export const protectedPlugin = definePlugin({
  name: 'test-protected',
  includeme(api) {
    api.service({
      name: 'protected',
      path: '/protected',
      methods: {
        GET: async (request) => {
          const identity = await api.authenticate(request);
          if (!identity.userId) throw unauthorized(api.challenges());
          return { id: identity.userId, profile: await getUserProfile(request) };
        },
      },
    });
  },
});
