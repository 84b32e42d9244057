// kinto-fxa's `includeme` (fxa.md §1): settings and clients, the policy under its
// npm name and its Python names, the `fxa` capability, the `oauth` heartbeat and
// the relier endpoints.
import { readFileSync } from 'node:fs';
import { definePlugin, type PluginApi } from '@kinto-ts/core';
import { loadConfig, type FxaConfig } from './config.js';
import { JwksVerifier } from './jwt.js';
import { FxaOAuthClient } from './oauth-client.js';
import { createFxaPolicy } from './policy.js';
import { StateStore } from './relier/state.js';
import { registerRelier } from './relier/views.js';
import { TokenVerifier } from './verifier.js';

export const PLUGIN_NAME = '@kinto-ts/fxa';

/** The names `multiauth.policy.NAME.use` may give (fxa.md §1); the Python path is what kinto-fxa's README shows. */
export const POLICY_NAMES = [
  PLUGIN_NAME,
  'kinto_fxa.authentication.FxAOAuthAuthenticationPolicy',
  'kinto_fxa.authentication',
  'kinto_fxa',
  'kinto-fxa',
];

/** True when a `multiauth.policy.NAME.use` value designates this policy (also used by account events, fxa.md §10.3). */
export function isFxaPolicy(use: unknown): boolean {
  return typeof use === 'string' && (POLICY_NAMES.includes(use) || use.endsWith('FxAOAuthAuthenticationPolicy'));
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
export const VERSION: string = pkg.version;

/** Keys other plugins (and tools) can look up with `api.lookup`. */
export const FXA_CONFIG_KEY = 'fxa-oauth.config';

export const fxaPlugin = definePlugin({
  name: PLUGIN_NAME,
  includeme(api: PluginApi) {
    const log = api.log.child({ plugin: 'kinto-fxa' });
    const config: FxaConfig = loadConfig(api, log);
    api.provide(FXA_CONFIG_KEY, config);

    const client = new FxaOAuthClient({ apiBase: config.apiBase, timeoutSeconds: config.requestTimeoutSeconds });
    api.onClose(() => client.close());
    const hmacSecret = api.settings.core.userid_hmac_secret;
    const verifier = new TokenVerifier({
      client,
      jwks: new JwksVerifier(() => client.jwks()),
      cache: api.cache,
      log,
      hmacSecret,
      ttlSeconds: config.cacheTtlSeconds,
      invalidTtlSeconds: config.invalidCacheTtlSeconds,
    });
    api.addPolicy(POLICY_NAMES, (context) => createFxaPolicy(context, { verifier, routing: config.routing }));

    api.addHeartbeat('oauth', async (signal) => {
      if (config.oauthUri === null) return null;
      try {
        return await client.heartbeat(signal, config.heartbeatTimeoutSeconds);
      } catch (error) {
        log.warn({ error: (error as Error).message }, 'kinto-fxa: FxA heartbeat failed');
        return false;
      }
    });
    api.addCapability('fxa', {
      version: VERSION,
      description: 'You can authenticate to that server using Firefox Account.',
      url: 'https://github.com/Kinto/kinto-fxa',
    });
    registerRelier(api, {
      config,
      client,
      states: new StateStore(api.cache, config.stateTtlSeconds, hmacSecret),
      log,
      httpScheme: api.settings.core.http_scheme,
    });
  },
});
