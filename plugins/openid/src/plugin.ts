// `kinto.plugins.openid` (openid.md §1): the login/token routes always; then, for
// the providers enabled in `multiauth.policies`, one policy each (discovery at
// start-up), the `openid` capability, the heartbeat and the user profile.
import { definePlugin, type AuthenticationPolicy, type PluginApi, type PolicyContext } from '@kinto-ts/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { DiscoveryCache } from './discovery.js';
import { openIdHeartbeat } from './heartbeat.js';
import { createHttpClient } from './http-client.js';
import { openIdPolicy } from './policy.js';
import type { UserProfile } from './profile.js';
import { createProvider, type Provider } from './provider.js';
import { enabledProviders, POLICY_NAMES, readProviderSettings } from './settings.js';
import { loginView } from './views/login.js';
import { tokenView } from './views/token.js';

export const CAPABILITY = {
  description: 'OpenID connect support.',
  url: 'http://kinto.readthedocs.io/en/stable/api/1.x/authentication.html',
} as const;

function includeme(api: PluginApi): void {
  const enabled = enabledProviders(api.settings);
  const providers = new Map<string, Provider>();
  const ordered = () => enabled.map((name) => providers.get(name)).filter((p): p is Provider => p !== undefined);
  const discoveryHttp = createHttpClient();
  const discoveries = new DiscoveryCache(discoveryHttp, api.log);
  const capabilityProviders: Array<Record<string, string>> = [];
  api.onClose(() => {
    discoveryHttp.close();
    for (const provider of providers.values()) provider.http.close();
  });

  // Called by the core once per name of `multiauth.policies` using our policy, in that order.
  async function factory(context: PolicyContext): Promise<AuthenticationPolicy> {
    const settings = readProviderSettings(context.settings, context.name);
    if (settings.authorizedDomains.length === 0) {
      context.log.warn(
        { provider: context.name },
        `OpenID provider '${context.name}': multiauth.policy.${context.name}.authorized_domains is not set, ` +
          'so /login redirects tokens to any callback host; set it to the hosts of your web apps',
      );
    }
    const provider = await createProvider(settings, {
      cache: context.cache,
      log: context.log,
      secret: context.settings.core.userid_hmac_secret,
      discoveries,
    });
    providers.set(context.name, provider);
    capabilityProviders[enabled.indexOf(context.name)] = {
      name: context.name,
      issuer: provider.discovery.issuer,
      auth_path: `/openid/${context.name}/login`,
      client_id: settings.clientId,
      audience: settings.audience,
      header_type: settings.headerType,
      userinfo_endpoint: provider.discovery.userinfo_endpoint,
    };
    return openIdPolicy(provider, ordered);
  }
  api.addPolicy([...POLICY_NAMES], factory);

  const core = api.settings.core;
  api.service({ name: 'openid-login', path: '/openid/:provider/login', methods: { GET: loginView(providers, core, api.log) } });
  api.service({ name: 'openid-token', path: '/openid/:provider/token', methods: { GET: tokenView(providers, core) } });

  if (enabled.length === 0) return;
  api.addCapability('openid', { ...CAPABILITY, providers: capabilityProviders });
  api.addHeartbeat('openid', openIdHeartbeat(ordered, api.log));
  // Users of other policies see `profile: {}` once OpenID is enabled (openid.md §9).
  api.addUserInfo((_request, user) => {
    if (!('profile' in user)) user.profile = {};
  });
  api.routes(
    fastifyPlugin(async (app: FastifyInstance) => {
      app.decorateRequest('openidUserProfile', async function (this: FastifyRequest): Promise<UserProfile> {
        const identity = await api.authenticate(this);
        return identity.policy !== null && providers.has(identity.policy) ? (identity.profile ?? {}) : {};
      });
    }),
  );
}

export const openIdPlugin = definePlugin({ name: '@kinto-ts/openid', includeme });
