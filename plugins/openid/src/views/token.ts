// `GET /v1/openid/{provider}/token?code=…&state=…` (openid.md §7.2): the IdP sends
// the browser here. The state is checked against this browser's cookie, consumed
// once, the code is traded, and whatever the IdP answered goes back to the
// callback, base64-encoded, so the app can read it from the URL fragment.
import { ERRORS, invalidParameters, KintoError, UpstreamError, type CoreSettings, type ValidationDetail } from '@kinto-ts/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Provider } from '../provider.js';
import { encodeTokens, readCookie, readStoredState, sameBinding, STATE_COOKIE, stateBinding, stateCookie } from '../state.js';
import { findProvider, redirectUri, required, serverOrigin } from './params.js';

function invalidState(): KintoError {
  return new KintoError(400, {
    errno: ERRORS.INVALID_PARAMETERS,
    error: 'Invalid parameters',
    message: 'Invalid state',
    details: [{ location: 'querystring', name: 'state', description: 'Invalid state', errno: ERRORS.INVALID_AUTH_TOKEN }],
  });
}

export function tokenView(providers: ReadonlyMap<string, Provider>, core: Readonly<CoreSettings>) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const details: ValidationDetail[] = [];
    const code = required(request, 'code', details);
    const state = required(request, 'state', details);
    const provider = findProvider(request, providers, details);
    if (details.length || !provider || code === undefined || state === undefined) throw invalidParameters(details);
    const { settings } = provider;

    // beyond.md item 3: a state started in another browser is refused like an unknown one.
    const binding = stateBinding(provider.secret, settings.name, state);
    if (!sameBinding(binding, readCookie(request.headers.cookie, STATE_COOKIE))) throw invalidState();
    // Atomic get-and-delete: of concurrent requests with one state, one trades the code.
    const stored = readStoredState(await provider.states.pop(state));
    if (!stored) throw invalidState();

    const form: Record<string, string> = {
      code,
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      redirect_uri: redirectUri(request, core, settings.name),
      grant_type: 'authorization_code',
    };
    if (stored.codeVerifier) form.code_verifier = stored.codeVerifier;
    let body: string;
    try {
      const response = await provider.http.got.post(provider.discovery.token_endpoint, { form });
      body = response.body;
    } catch (error) {
      throw new UpstreamError(`OpenID provider '${settings.name}': token endpoint unreachable (${(error as Error).message})`, { cause: error });
    }
    const origin = serverOrigin(request, core);
    reply
      .code(307)
      .header('location', stored.callback + encodeTokens(body))
      .header('cache-control', 'no-store')
      .header('set-cookie', stateCookie('', { path: `/v1/openid/${settings.name}/`, maxAge: 0, secure: origin.startsWith('https:') }));
    return reply.send();
  };
}
