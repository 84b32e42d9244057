// A real OpenID provider (panva's oidc-provider) on 127.0.0.1 for the tests, with
// its development login form, auto-granted consent and a request log. It can be
// stopped and started again on the same port to simulate an outage.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestClient {
  client_id: string;
  client_secret: string;
  /** Kinto provider names whose token endpoints are registered as redirect URIs. */
  providers: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  body?: string;
}

export interface OidcProvider {
  issuer: string;
  requests: RecordedRequest[];
  count(path: string): number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export async function startOidcProvider(clients: TestClient[], t: { after(fn: () => unknown): void }): Promise<OidcProvider> {
  const requests: RecordedRequest[] = [];
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const record = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const entry: RecordedRequest = { method: req.method ?? 'GET', path, authorization: req.headers.authorization };
    requests.push(entry);
    handler(req, res);
  };
  let server = createServer(record);
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      // Native clients may use any loopback port (RFC 8252 §7.3), so the kinto
      // server's random port needs no registration.
      application_type: 'native',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: c.providers.flatMap((name) => [`http://127.0.0.1/v1/openid/${name}/token`, `http://localhost/v1/openid/${name}/token`]),
    })),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: `${id}@example.com`, email_verified: true, name: `User ${id}` }),
    }),
    // First-party app: skip the consent screen (oidc-provider's documented recipe).
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    cookies: { keys: ['test-cookie-key'] },
  });
  handler = provider.callback() as typeof handler;
  let running = true;
  const api: OidcProvider = {
    issuer,
    requests,
    count: (path) => requests.filter((r) => r.path === path).length,
    async stop() {
      if (!running) return;
      running = false;
      await close(server);
    },
    async start() {
      if (running) return;
      server = createServer(record);
      await listen(server, port);
      running = true;
    },
  };
  t.after(() => api.stop());
  return api;
}

/** Set-Cookie handling for a scripted browser: name → value, attributes ignored. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * Plays the user at the IdP: follows the authorization URL, fills the development
 * login form, and returns the URL the IdP finally redirects to (kinto's /token).
 */
export async function signInAtIdp(authorizationUrl: string, login: string, stopAt: (url: string) => boolean): Promise<string> {
  const jar = new CookieJar();
  let url = authorizationUrl;
  let init: RequestInit = {};
  for (let step = 0; step < 12; step++) {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
    jar.store(response);
    if (response.status >= 300 && response.status < 400) {
      const next = new URL(response.headers.get('location')!, url).href;
      await response.body?.cancel();
      if (stopAt(next)) return next;
      url = next;
      init = {};
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (response.status !== 200 || !action) throw new Error(`unexpected IdP answer ${response.status}: ${html.slice(0, 300)}`);
    url = new URL(action.replace(/&amp;/g, '&'), url).href;
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1] ?? 'login';
    const form: Record<string, string> = prompt === 'login' ? { prompt, login, password: 'any' } : { prompt };
    init = { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error('too many steps at the IdP');
}
