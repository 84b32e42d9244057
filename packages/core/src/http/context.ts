// Per-request state (`request.kinto`), shared between a batch and its sub-requests
// through `bound` (Kinto's `request.bound_data`): identity, parent objects,
// implicit creations and the transaction are computed once per batch.
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { KeepFrom } from './kept-responses.js';

export interface Identity {
  /** The prefixed user id (`basicauth:…`, `fxa:…`), or null when anonymous. */
  userId: string | null;
  /** User id first, then `system.Everyone`, `system.Authenticated`, extra principals and groups. */
  principals: string[];
  /** The configured policy name that identified the request. */
  policy: string | null;
  profile?: Record<string, unknown>;
}

export interface RequestContext {
  /** Shared with the batch this request belongs to. */
  bound: Map<string, unknown>;
  /** Set by services: the matched service name (CORS headers are only added to services). */
  service?: string;
  /** Extra exposed headers for CORS on this response. */
  exposeHeaders?: string[];
  /** The request id for logs (`X-Request-Id` or generated). */
  requestId: string;
  /** Alerts to send in the `Alert` header (`_to` deprecation). */
  alert?: Record<string, unknown>;
  /** Errno of the error answer, for the summary log line. */
  errno?: number;
  /** True for batch sub-requests. */
  subrequest: boolean;
  /** The parent batch request, for sub-requests. */
  parent?: FastifyRequest;
  /** The backends' generations when the request started, when its answer may be kept (http/kept-responses.ts). */
  keepFrom?: KeepFrom;
  /** Set by the resource: this answer depends only on what http/kept-responses.ts keys it by. */
  keepable?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    kinto: RequestContext;
  }
}

export const SUBREQUEST_HEADER = 'x-kinto-subrequest';

// Sub-requests are replayed through `app.inject`; they find their batch by an
// unguessable one-time token, so a client cannot forge membership of a batch.
const pendingSubrequests = new Map<string, FastifyRequest>();

export function createContext(request: FastifyRequest): RequestContext {
  const token = request.headers[SUBREQUEST_HEADER];
  if (typeof token === 'string') {
    delete request.headers[SUBREQUEST_HEADER];
    const parent = pendingSubrequests.get(token);
    if (parent) {
      return { bound: parent.kinto.bound, requestId: parent.kinto.requestId, subrequest: true, parent };
    }
  }
  const rid = request.headers['x-request-id'];
  return {
    bound: new Map(),
    requestId: typeof rid === 'string' && rid.length <= 200 ? rid : randomUUID(),
    subrequest: false,
  };
}

/** Registers `parent` as the batch of the next sub-requests; call the returned function when done. */
export function bindSubrequests(parent: FastifyRequest): { header: Record<string, string>; release: () => void } {
  const token = randomUUID();
  pendingSubrequests.set(token, parent);
  return { header: { [SUBREQUEST_HEADER]: token }, release: () => pendingSubrequests.delete(token) };
}
