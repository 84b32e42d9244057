// `GET /v1/openid/{provider}/login?callback=…&scope=…[&prompt=none]` (openid.md §7.1):
// validate, remember the callback under a fresh state, bind the state to this
// browser, and send the browser to the IdP's authorization endpoint.
import { invalidParameters, type CoreSettings, type Logger, type ValidationDetail } from '@kinto-ts/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { checkCallback, isAuthorized } from '../callback-url.js';
import type { Provider } from '../provider.js';
import { pkcePair, randomSource, stateBinding, stateCookie, type StoredState } from '../state.js';
import { findProvider, queryParam, redirectUri, required, serverOrigin } from './params.js';

export function loginView(providers: ReadonlyMap<string, Provider>, core: Readonly<CoreSettings>, log: Logger) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const details: ValidationDetail[] = [];
    const rawCallback = queryParam(request, 'callback');
    const callback = checkCallback(rawCallback);
    if ('error' in callback) details.push({ location: 'querystring', name: 'callback', description: callback.error });
    const scope = required(request, 'scope', details);
    const prompt = queryParam(request, 'prompt');
    // kinto-ts: exactly `none` (upstream's regex is anchored at the start only).
    if (prompt !== undefined && prompt !== 'none') {
      details.push({ location: 'querystring', name: 'prompt', description: 'String does not match expected pattern' });
    }
    const provider = findProvider(request, providers, details);
    if (details.length || !provider || 'error' in callback || scope === undefined) throw invalidParameters(details);
    const { settings } = provider;

    if (settings.useridField === 'email' && !scope.split(/\s+/).includes('email')) {
      const description = `Provider ${settings.name} requires 'email' scope`;
      throw invalidParameters([{ location: 'querystring', name: 'scope', description }], { message: description });
    }
    if (settings.authorizedDomains.length && !isAuthorized(callback.url, settings.authorizedDomains)) {
      throw invalidParameters([{ location: 'querystring', name: 'callback', description: 'callback URL is not authorized' }]);
    }
    if (!callback.url.includes('#')) {
      // beyond.md item 4: tokens in a query string end up in logs and Referer headers.
      if (settings.requireFragment) {
        throw invalidParameters([{ location: 'querystring', name: 'callback', description: 'callback URL must have a fragment (#)' }]);
      }
      log.warn({ provider: settings.name, host: new URL(callback.url).host }, 'openid: login callback without a #fragment puts tokens in a query string');
    }

    const state = randomSource.hex(settings.stateLength);
    const pkce = provider.pkce ? pkcePair() : null;
    const stored: StoredState = pkce ? { callback: callback.url, code_verifier: pkce.verifier } : callback.url;
    await provider.states.set(state, stored, settings.stateTtlSeconds);

    // Parameter order of openid.md §7.1 step 5; URLSearchParams form-encodes (space → `+`).
    const query = new URLSearchParams({
      client_id: settings.clientId,
      response_type: 'code',
      scope,
      redirect_uri: redirectUri(request, core, settings.name),
      state,
    });
    if (prompt !== undefined) query.append('prompt', prompt);
    if (settings.audience) query.append('audience', settings.audience);
    if (pkce) {
      query.append('code_challenge', pkce.challenge);
      query.append('code_challenge_method', 'S256');
    }
    const endpoint = provider.discovery.authorization_endpoint;
    const location = `${endpoint}${endpoint.includes('?') ? '&' : '?'}${query.toString()}`;

    const origin = serverOrigin(request, core);
    const cookie = stateCookie(stateBinding(provider.secret, settings.name, state), {
      path: `/v1/openid/${settings.name}/`,
      maxAge: settings.stateTtlSeconds,
      secure: origin.startsWith('https:'),
    });
    reply.code(307).header('location', location).header('set-cookie', cookie).header('cache-control', 'no-store');
    return reply.send();
  };
}
