// A small provider on 127.0.0.1 whose answers the tests control: discovery, JWKS
// and userinfo as Auth0 serves them for API audiences (JWT access tokens signed
// with its keys), and a token endpoint that records the code trade. Used where the
// real oidc-provider cannot play the part (it refuses audience tokens at userinfo)
// and to make endpoints fail on purpose.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

export interface LoopbackIdp {
  issuer: string;
  /** Requests per path. */
  hits: Map<string, number>;
  /** Last body posted to /token. */
  tokenRequests: Array<{ contentType: string | undefined; authorization: string | undefined; body: string }>;
  userinfoAuthorizations: string[];
  /** Per-path overrides: status and body. */
  answers: Map<string, { status: number; body: string }>;
  /** userinfo by bearer token; unknown tokens get 401. */
  users: Map<string, Record<string, unknown>>;
  discovery: Record<string, unknown>;
  sign(claims: JWTPayload, options?: { kid?: string; alg?: string; expiresIn?: string | number }): Promise<string>;
  rotateKey(): Promise<void>;
  count(path: string): number;
  close(): Promise<void>;
}

export async function startLoopbackIdp(t: { after(fn: () => unknown): void }, options: { audience?: string } = {}): Promise<LoopbackIdp> {
  let keys: Array<{ kid: string; privateKey: CryptoKey; jwk: Record<string, unknown> }> = [];
  const addKey = async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const kid = `k${keys.length + 1}`;
    keys = [...keys, { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } }];
  };
  await addKey();
  const hits = new Map<string, number>();
  const answers = new Map<string, { status: number; body: string }>();
  const users = new Map<string, Record<string, unknown>>();
  const tokenRequests: LoopbackIdp['tokenRequests'] = [];
  const userinfoAuthorizations: string[] = [];
  let published = keys.slice();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', (): void => {
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const override = answers.get(path);
      if (override) {
        res.writeHead(override.status, { 'content-type': 'application/json' }).end(override.body);
        return;
      }
      if (path === '/.well-known/openid-configuration') return void json(200, idp.discovery);
      if (path === '/jwks') return void json(200, { keys: published.map((k) => k.jwk) });
      if (path === '/userinfo') {
        const authorization = req.headers.authorization ?? '';
        userinfoAuthorizations.push(authorization);
        const user = users.get(authorization.replace(/^Bearer /, ''));
        return void (user ? json(200, user) : json(401, { error: 'invalid_token' }));
      }
      if (path === '/token') {
        tokenRequests.push({ contentType: req.headers['content-type'], authorization: req.headers.authorization, body: Buffer.concat(chunks).toString() });
        return void json(200, { access_token: 'token' });
      }
      json(404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const idp: LoopbackIdp = {
    issuer,
    hits,
    answers,
    users,
    tokenRequests,
    userinfoAuthorizations,
    discovery: {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      userinfo_endpoint: `${issuer}/userinfo`,
      jwks_uri: `${issuer}/jwks`,
      id_token_signing_alg_values_supported: ['RS256', 'HS256'],
    },
    async sign(claims, o = {}) {
      const key = o.kid ? keys.find((k) => k.kid === o.kid)! : keys.at(-1)!;
      return new SignJWT({ iss: issuer, aud: options.audience, ...claims })
        .setProtectedHeader({ alg: o.alg ?? 'RS256', kid: key.kid })
        .setIssuedAt()
        .setExpirationTime(o.expiresIn ?? '1h')
        .sign(key.privateKey);
    },
    async rotateKey() {
      await addKey();
      published = keys.slice();
    },
    count: (path) => hits.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  t.after(() => idp.close());
  return idp;
}
