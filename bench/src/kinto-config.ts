// The `.ini` settings of the measured servers: Basic auth always, FxA and OpenID
// when their upstreams run, memory or PostgreSQL + Redis backends.
import type { Backend } from './report.js';
import { currentCode } from './server-process.js';
import { FXA_SCOPE, type FxaUpstream, type OpenIdUpstream } from './upstreams.js';

export const PG_URL = 'postgresql://postgres@127.0.0.1:5432/kinto_bench';
// A Redis database of its own, so a test suite flushing db 0 cannot empty the bench's cache mid-run.
export const REDIS_URL = 'redis://127.0.0.1:6379/7';
export const OPENID_PROVIDER = 'oidc';
/**
 * beyond.md item 5 recommends a distinct `header_type` per provider: FxA keeps
 * `Bearer`, the OpenID provider gets its own word, so neither policy ever sees
 * (or asks its upstream about) the other's tokens.
 */
export const OPENID_HEADER_TYPE = 'OIDC';

export interface AuthUpstreams {
  fxa?: FxaUpstream;
  openid?: OpenIdUpstream;
}

export interface KintoConfig {
  settings: Record<string, string | number | boolean>;
  plugins: Record<string, string>;
}

export function kintoConfig(backend: Backend, auth: AuthUpstreams, logLevel: string, extra: Record<string, string | number> = {}): KintoConfig {
  const policies = ['basicauth'];
  const includes: string[] = [];
  const plugins: Record<string, string> = {};
  const settings: KintoConfig['settings'] = {
    'kinto.userid_hmac_secret': 'bench-userid-hmac-secret',
    'kinto.log_level': logLevel,
  };
  if (auth.fxa) {
    policies.push('fxa');
    includes.push('kinto_fxa');
    plugins.kinto_fxa = currentCode().fxaPlugin;
    Object.assign(settings, {
      'multiauth.policy.fxa.use': 'kinto_fxa.authentication.FxAOAuthAuthenticationPolicy',
      'fxa-oauth.oauth_uri': auth.fxa.oauthUri,
      'fxa-oauth.required_scope': FXA_SCOPE,
      'fxa-oauth.requested_scope': `profile ${FXA_SCOPE}`,
      'fxa-oauth.relier.enabled': 'false',
    });
  }
  if (auth.openid) {
    const p = `multiauth.policy.${OPENID_PROVIDER}`;
    policies.push(OPENID_PROVIDER);
    includes.push('kinto.plugins.openid');
    plugins['kinto.plugins.openid'] = currentCode().openidPlugin;
    Object.assign(settings, {
      [`${p}.use`]: 'kinto.plugins.openid.OpenIDConnectPolicy',
      [`${p}.issuer`]: auth.openid.issuer,
      [`${p}.client_id`]: 'bench-client',
      [`${p}.client_secret`]: 'bench-secret',
      [`${p}.header_type`]: OPENID_HEADER_TYPE,
      [`${p}.authorized_domains`]: '127.0.0.1:*',
    });
  }
  settings['multiauth.policies'] = policies.join(' ');
  if (includes.length > 0) settings['kinto.includes'] = includes.join(' ');
  if (backend === 'postgresql+redis') {
    Object.assign(settings, {
      'kinto.storage_backend': 'kinto.core.storage.postgresql',
      'kinto.storage_url': PG_URL,
      'kinto.permission_backend': 'kinto.core.permission.postgresql',
      'kinto.permission_url': PG_URL,
      'kinto.cache_backend': 'kinto.core.cache.redis',
      'kinto.cache_url': REDIS_URL,
    });
  }
  return { settings: { ...settings, ...extra }, plugins };
}
