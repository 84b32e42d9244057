// The userinfo call (openid.md §5.2). An invalid token is a null payload; an IdP
// that cannot answer (5xx, network error, timeout) is an UpstreamError, i.e. 503,
// never a logout (beyond.md item 11).
import { UpstreamError, type Logger } from '@kinto-ts/core';
import { isObject, parseJson, type HttpClient } from './http-client.js';

export async function fetchUserinfo(
  http: HttpClient,
  endpoint: string,
  token: string,
  context: { provider: string; log: Logger },
): Promise<Record<string, unknown> | null> {
  let response;
  try {
    // Always the word Bearer, whatever `header_type` is (openid.md §5.2).
    response = await http.got.get(endpoint, { headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    throw new UpstreamError(`OpenID provider '${context.provider}': userinfo unreachable (${(error as Error).message})`, { cause: error });
  }
  const status = response.statusCode;
  if (status >= 500) throw new UpstreamError(`OpenID provider '${context.provider}': userinfo answered HTTP ${status}`);
  if (status < 200 || status >= 300) return null;
  const body = parseJson(response.body);
  if (!isObject(body)) {
    context.log.warn({ provider: context.provider }, `OpenID provider '${context.provider}': userinfo answered ${body === undefined ? 'invalid JSON' : 'JSON that is not an object'}`);
    return null;
  }
  return body;
}
