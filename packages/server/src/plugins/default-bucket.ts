// `kinto.plugins.default_bucket` (kinto-api.md §B1): `/buckets/default…` is an alias
// of the user's personal bucket, created implicitly — with the collection in the
// path — then the request is replayed on the real bucket and its answer returned.
import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  bindSubrequests,
  createObjectIfMissing,
  definePlugin,
  methodNotAllowed,
  unauthorized,
  urlNotFound,
  withResourceEvents,
  type Identity,
  type PluginApi,
} from '@kinto-ts/core';

/**
 * The personal bucket id: the first 32 hex digits of HMAC-SHA256(secret, user id)
 * formatted as a UUID (no version bits). `default_bucket_hmac_secret` never falls back
 * to `userid_hmac_secret` (kinto-api.md §B1 [doc≠code]); the FxA plugin reuses this.
 */
export function defaultBucketId(secret: string, userId: string): string {
  const hex = createHmac('sha256', secret).update(userId, 'utf8').digest('hex').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const PREFIX = '/v1/buckets/default';
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const HOP_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);
const ALWAYS_EXPOSED = new Set(['backoff', 'retry-after', 'alert', 'content-length', 'content-type']);
const CREATED = 'default_bucket.created';

/** `data.id` occurrences of `default` become the real id (Kinto replaces them in the body). */
function rewriteBody(body: unknown, bucketId: string): Buffer | undefined {
  if (!Buffer.isBuffer(body) || body.length === 0) return undefined;
  try {
    const json = JSON.parse(body.toString('utf8')) as { data?: { id?: unknown } };
    if (json && typeof json.data?.id === 'string') {
      json.data.id = json.data.id.replaceAll('default', bucketId);
      return Buffer.from(JSON.stringify(json));
    }
  } catch {
    // Not JSON: the real endpoint answers the 400.
  }
  return body;
}

/** Replays the request on the real bucket path, in-process, as a sub-request sharing `bound`. */
async function relay(app: FastifyInstance, request: FastifyRequest, url: string, body: Buffer | undefined) {
  const { header, release } = bindSubrequests(request);
  try {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && !HOP_HEADERS.has(name)) headers[name] = value;
    }
    return await app.inject({ method: request.method as 'GET', url, headers: { ...headers, ...header }, payload: body });
  } finally {
    release();
  }
}

type Relayed = Awaited<ReturnType<typeof relay>>;

/** Sends the relayed answer; called once the transaction has committed, never inside it. */
function sendRelayed(request: FastifyRequest, reply: FastifyReply, response: Relayed) {
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined && !HOP_HEADERS.has(name) && !name.startsWith('access-control-')) reply.header(name, value);
  }
  const exposed = String(response.headers['access-control-expose-headers'] ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '' && !ALWAYS_EXPOSED.has(h.toLowerCase()));
  request.kinto.exposeHeaders = exposed;
  reply.code(response.statusCode);
  return reply.send(response.rawPayload);
}

async function handle(api: PluginApi, app: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
  request.kinto.service = 'default_bucket';
  const rawUrl = request.raw.url ?? request.url;
  const q = rawUrl.indexOf('?');
  const path = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
  const query = q >= 0 ? rawUrl.slice(q) : '';
  const subpath = path.slice(PREFIX.length);
  if (request.method === 'OPTIONS') {
    return sendRelayed(request, reply, await relay(app, request, `/v1/buckets/unknown${subpath}${query}`, undefined));
  }
  // Trailing slashes get the usual redirect, on the `default` path itself (§1.2).
  if (subpath.endsWith('/')) return reply.callNotFound();
  const identity: Identity = await api.authenticate(request);
  if (identity.userId === null) throw unauthorized(api.challenges());
  if (api.settings.core.readonly) throw methodNotAllowed();
  const bucketId = defaultBucketId(api.settings.core.default_bucket_hmac_secret, identity.userId);

  // The answer is sent after the transaction commits: a client must never read
  // its response before the implicit creations are visible to its next request.
  const response = await withResourceEvents(api, request, true, async () => {
    let created = request.kinto.bound.get(CREATED) as Set<string> | undefined;
    if (!created) request.kinto.bound.set(CREATED, (created = new Set()));
    const bucketUri = `/buckets/${bucketId}`;
    if (!(request.method === 'PUT' && subpath === '') && !created.has(bucketUri)) {
      await createObjectIfMissing(api, request, identity, 'bucket', { bucket_id: bucketId });
      created.add(bucketUri);
    }
    const m = /^\/collections\/([^/]*)(\/.*)?$/.exec(subpath);
    if (m) {
      let collectionId: string;
      try {
        collectionId = decodeURIComponent(m[1]!);
      } catch {
        throw urlNotFound();
      }
      // kinto-ts: an empty collection segment is 404, where upstream answers 500 (§11.4).
      if (collectionId === '') throw urlNotFound();
      const collectionUri = `${bucketUri}/collections/${collectionId}`;
      const putsIt = request.method === 'PUT' && m[2] === undefined;
      if (!putsIt && !created.has(collectionUri)) {
        await createObjectIfMissing(api, request, identity, 'collection', { bucket_id: bucketId, collection_id: collectionId });
        created.add(collectionUri);
      }
    }
    return relay(app, request, `/v1/buckets/${bucketId}${subpath}${query}`, rewriteBody(request.body, bucketId));
  });
  return sendRelayed(request, reply, response);
}

export default definePlugin({
  name: 'kinto.plugins.default_bucket',
  includeme(api) {
    api.addCapability('default_bucket', {
      description: 'The default bucket is an alias for a personal bucket where collections are created implicitly.',
      url: 'https://kinto.readthedocs.io/en/latest/api/1.x/buckets.html#personal-bucket-default',
    });
    api.addUserInfo((_request, user) => {
      if (typeof user.id === 'string') user.bucket = defaultBucketId(api.settings.core.default_bucket_hmac_secret, user.id);
    });
    api.routes(async (app) => {
      for (const url of ['/buckets/default', '/buckets/default/*']) {
        app.route({ method: [...METHODS], url, handler: (request, reply) => handle(api, app, request, reply) });
      }
    });
  },
});
