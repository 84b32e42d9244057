// Kept responses: a list page read again by the same identity, with the same URL,
// Origin and Accept, while the in-process storage and permission backends are
// unchanged, answers exactly what it answered before. Such a response is sent from
// the first request hook: its status, resource headers and body are kept, and the
// common headers (CSP, Backoff, Alert, CORS) and the summary log line are produced
// per request as for any other response.
//
// Kept: GET list pages that resource/page-cache.ts keeps (no Next-Page, no secret-named
// parameter, not observed by read listeners), answered 200 without an `Expires`
// header (its date moves). Never kept nor served: batch sub-requests, conditional
// requests (If-* headers: their 304/412 is decided per request), requests whose
// identity is not one the multiauth chain may reuse (authentication/multiauth.ts),
// and anything on backends shared with other processes (no `generation`).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { MultiAuth } from '../authentication/multiauth.js';
import type { Permission } from '../permission/index.js';
import type { Storage } from '../storage/index.js';

interface KeptResponse {
  /** The headers the resource set (before the common ones), Content-Type included. */
  headers: Record<string, string>;
  body: Buffer;
  service: string;
  exposeHeaders?: string[];
  alert?: Record<string, unknown>;
}

/** Where a request started: the backends' generations its answer may be kept under. */
export interface KeepFrom {
  storage: number;
  permission: number;
}

const CONDITIONAL = ['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since'] as const;

/** Bytes of kept responses (their bodies are mostly the kept pages' own buffers). */
const MAX_BYTES = 4 * 1024 * 1024;

export class KeptResponses {
  private readonly kept = new LRUCache<string, KeptResponse>({
    maxSize: MAX_BYTES,
    sizeCalculation: (response, key) => response.body.length + key.length * 2 + 256,
  });

  constructor(
    private readonly storage: Storage,
    private readonly permission: Permission,
    private readonly multiauth: () => MultiAuth | undefined,
  ) {}

  /** The generations a GET may be kept under or served from; undefined when it may not. */
  keepFrom(request: FastifyRequest): KeepFrom | undefined {
    if (request.method !== 'GET' || request.kinto.subrequest) return undefined;
    const storage = this.storage.generation;
    const permission = this.permission.generation;
    if (storage === undefined || permission === undefined) return undefined;
    const headers = request.headers;
    for (const name of CONDITIONAL) if (headers[name] !== undefined) return undefined;
    return { storage, permission };
  }

  /** Sends the kept answer of the request; false when there is none (the request goes on). */
  serve(request: FastifyRequest, reply: FastifyReply, from: KeepFrom): boolean {
    const key = this.key(request, from);
    const response = key === undefined ? undefined : this.kept.get(key);
    if (!response) return false;
    const context = request.kinto;
    context.service = response.service;
    context.exposeHeaders = response.exposeHeaders;
    if (response.alert) context.alert = response.alert;
    reply.headers(response.headers);
    reply.code(200).send(response.body);
    return true;
  }

  /** Keeps a response the resource marked as keepable (called before the common headers are added). */
  keep(request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
    const context = request.kinto;
    const from = context.keepFrom;
    if (!from || !context.keepable || !context.service || reply.statusCode !== 200 || !Buffer.isBuffer(payload)) return;
    if (reply.hasHeader('expires') || reply.hasHeader('next-page')) return;
    const key = this.key(request, from);
    if (key === undefined) return;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (typeof value === 'string') headers[name] = value;
      else if (typeof value === 'number') headers[name] = String(value);
      // Repeated headers are not something list pages send: such a response is not kept.
      else return;
    }
    this.kept.set(key, { headers, body: payload, service: context.service, exposeHeaders: context.exposeHeaders, alert: context.alert });
  }

  /**
   * Generations, identity, Origin, Accept and the URL: everything a list page's answer
   * depends on. The identity is the keyed digest of the Authorization header, only
   * when the chain reuses its identification ('-': anonymous).
   */
  private key(request: FastifyRequest, from: KeepFrom): string | undefined {
    const headers = request.headers;
    let identity = '-';
    if (headers.authorization !== undefined) {
      const reused = this.multiauth()?.reusedIdentity(request);
      if (!reused) return undefined;
      identity = reused.key;
    }
    // Header values hold no line breaks (the HTTP parser refuses them).
    return `${from.storage}:${from.permission}\n${identity}\n${headers.origin ?? ''}\n${headers.accept ?? ''}\n${request.raw.url}`;
  }
}
