// The relier endpoints (fxa.md §9): `params` always; `login` and `token` unless
// `fxa-oauth.relier.enabled = false`. Public, GET only, errors in Kinto's format.
import {
  ERRORS,
  KintoError,
  UpstreamError,
  invalidParameters,
  serviceUnavailable,
  type Logger,
  type PluginApi,
  type ServiceHandler,
  type ValidationDetail,
} from '@kinto-ts/core';
import type { FxaConfig } from '../config.js';
import { FxaRejection, type FxaOAuthClient } from '../oauth-client.js';
import { checkUrl, isAuthorizedHost } from './redirect-url.js';
import { STATE_COOKIE, StateStore, codeChallenge, createCodeVerifier, readCookie, type StoredState } from './state.js';

type FastifyRequest = Parameters<ServiceHandler>[0];
type FastifyReply = Parameters<ServiceHandler>[1];

const COOKIE_PATH = '/v1/fxa-oauth';

export interface RelierDeps {
  config: FxaConfig;
  client: FxaOAuthClient;
  states: StateStore;
  log: Logger;
  /** `http_scheme`, when Kinto runs behind a TLS-terminating proxy. */
  httpScheme: string | null;
}

/** The last value of a query parameter (Pyramid's MultiDict read as a dict). */
function queryValue(request: FastifyRequest, name: string): string | undefined {
  const raw = (request.query as Record<string, unknown> | undefined)?.[name];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return typeof value === 'string' ? value : undefined;
}

/** Percent-encodes what may not appear in a URL query or fragment as is (fxa.md §9.2 step 5, §9.3 step 5). */
function urlSafe(value: string): string {
  return value.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/?]/g, (c) => encodeURIComponent(c));
}

function sessionNotFound(): KintoError {
  return new KintoError(408, {
    errno: ERRORS.MISSING_AUTH_TOKEN,
    message: 'The OAuth session was not found, please re-authenticate.',
  });
}

function codeRejected(): KintoError {
  return invalidParameters([{ location: 'querystring', name: 'code', description: 'Firefox Account code validation failed.' }]);
}

export function registerRelier(api: PluginApi, deps: RelierDeps): void {
  const { config } = deps;

  api.service({
    name: 'fxa-oauth-params',
    path: '/fxa-oauth/params',
    methods: {
      GET: async () => ({ client_id: config.clientId, oauth_uri: config.oauthUri, scope: config.requiredScope }),
    },
  });
  if (!config.relierEnabled) return;

  api.service({
    name: 'fxa-oauth-login',
    path: '/fxa-oauth/login',
    methods: { GET: (request, reply) => login(request, reply, deps) },
  });
  api.service({
    name: 'fxa-oauth-token',
    path: '/fxa-oauth/token',
    methods: { GET: (request, reply) => token(request, reply, deps) },
  });
}

async function login(request: FastifyRequest, reply: FastifyReply, deps: RelierDeps) {
  const { config, states, log, httpScheme } = deps;
  const checked = checkUrl(queryValue(request, 'redirect'));
  if (!checked.ok) throw invalidParameters([{ location: 'querystring', name: 'redirect', description: checked.description }]);
  if (!isAuthorizedHost(checked.url, config.authorizedDomains)) {
    throw invalidParameters([{ location: 'querystring', name: 'redirect', description: 'redirect URL is not authorized' }]);
  }
  if (!checked.value.includes('#')) {
    // The token would be appended to a query string: web-server logs, Referer headers (beyond.md item 4).
    if (config.requireFragment) {
      throw invalidParameters([{ location: 'querystring', name: 'redirect', description: 'redirect URL must contain a fragment (#)' }]);
    }
    log.warn({ host: checked.url.host }, 'kinto-fxa: login redirect without a fragment: the token will be sent in the URL query');
  }
  if (config.oauthUri === null || config.clientId === null) {
    // Upstream redirects to `None/authorization?…`; a clear 503 and a log line are more useful.
    log.error('kinto-fxa: fxa-oauth.oauth_uri and fxa-oauth.client_id must be set to use /fxa-oauth/login');
    throw serviceUnavailable();
  }
  // PKCE if and only if Kinto is a public client: FxA refuses a code_challenge from a confidential one (beyond.md item 2).
  const stored: StoredState = { redirect: checked.value };
  if (config.clientSecret === null) stored.codeVerifier = createCodeVerifier();
  const state = await states.create(stored);

  const params = [
    'action=signin',
    `client_id=${urlSafe(config.clientId)}`,
    `state=${state}`,
    `scope=${config.requestedScopes.map(urlSafe).join('+')}`,
  ];
  if (stored.codeVerifier) params.push(`code_challenge=${codeChallenge(stored.codeVerifier)}`, 'code_challenge_method=S256');
  const location = `${config.oauthUri.replace(/\/$/, '')}/authorization?${params.join('&')}`;

  if (config.bindStateCookie) {
    const secure = (httpScheme ?? request.protocol) === 'https' ? '; Secure' : '';
    const maxAge = Math.max(1, Math.ceil(config.stateTtlSeconds));
    reply.header(
      'set-cookie',
      `${STATE_COOKIE}=${states.cookieValue(state)}; Path=${COOKIE_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`,
    );
  }
  return reply.code(302).header('location', location).send();
}

async function token(request: FastifyRequest, reply: FastifyReply, deps: RelierDeps) {
  const { config, client, states, log } = deps;
  const code = queryValue(request, 'code');
  const state = queryValue(request, 'state');
  const missing: ValidationDetail[] = [];
  if (!code) missing.push({ location: 'querystring', name: 'code', description: 'Required' });
  if (!state) missing.push({ location: 'querystring', name: 'state', description: 'Required' });
  if (missing.length || !code || !state) throw invalidParameters(missing);

  // Login CSRF (beyond.md item 3): a state started in another browser is unknown here.
  if (config.bindStateCookie && !states.cookieMatches(state, readCookie(request.headers.cookie, STATE_COOKIE))) {
    throw sessionNotFound();
  }
  // Consumed before the trade, so that a state is single-use even when the trade fails.
  const stored = await states.consume(state);
  if (!stored) throw sessionNotFound();
  if (config.bindStateCookie) reply.header('set-cookie', `${STATE_COOKIE}=; Path=${COOKIE_PATH}; Max-Age=0; HttpOnly; SameSite=Lax`);

  const body: Record<string, unknown> = { code, client_id: config.clientId };
  if (config.clientSecret !== null) body.client_secret = config.clientSecret;
  if (stored.codeVerifier) body.code_verifier = stored.codeVerifier;
  let answer: unknown;
  try {
    answer = await client.expectOk('POST', '/token', body);
  } catch (error) {
    if (error instanceof FxaRejection) {
      log.warn({ status: error.status, errno: error.errno, fxaMessage: error.fxaMessage }, 'kinto-fxa: FxA refused the code');
      throw codeRejected();
    }
    throw error;
  }
  const accessToken = (answer as Record<string, unknown> | null)?.access_token;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new UpstreamError('FxA POST /token: access_token missing in OAuth response');
  }
  return reply.code(302).header('location', `${stored.redirect}${urlSafe(accessToken)}`).send();
}
