// Kept list pages. A storage backend that alone writes its data (memory) exposes a
// `generation` that changes on every write; while it is unchanged, a list read with
// the same URL, query and visible objects answers the same JSON, so its bytes are
// kept and served again instead of listing, sorting and serialising the objects
// (the largest share of a cached-token page after HTTP itself; docs/performance.md).
//
// What is not kept: pages with a `Next-Page` (their pagination token is single-use
// state in the cache), reads with `_token` or any other secret-named parameter (the
// query is part of the key, in clear); reads observed by event listeners skip the cache. Authentication, permissions, the list timestamp headers, client
// cache headers and preconditions are always evaluated per request, before a hit.
import { LRUCache } from 'lru-cache';
import type { Storage } from '../storage/index.js';

export interface KeptPage {
  /** The response body: the serialised `{"data": [...]}`. */
  body: Buffer;
  /** The newest timestamp the listing saw (it may exceed the list timestamp read before it). */
  seen: number;
  /** The `Alert` the query raised (deprecated `_to`). */
  alert?: Record<string, unknown>;
}

/** Bytes of page bodies kept per storage backend: a few hundred typical pages. */
const MAX_BYTES = 4 * 1024 * 1024;
/** Larger bodies are not worth keeping (and would evict many small ones). */
const MAX_PAGE_BYTES = 256 * 1024;

const caches = new WeakMap<Storage, LRUCache<string, KeptPage>>();

function cacheOf(storage: Storage): LRUCache<string, KeptPage> {
  let cache = caches.get(storage);
  if (!cache) {
    cache = new LRUCache<string, KeptPage>({ maxSize: MAX_BYTES, sizeCalculation: (page, key) => page.body.length + key.length * 2 + 64 });
    caches.set(storage, cache);
  }
  return cache;
}

/**
 * The key of a list read, or undefined when the backend cannot vouch for unchanged
 * data. `shared` is the permission filter (null: the whole list is readable).
 */
export function pageKey(storage: Storage, pluralUri: string, rawQuery: string, shared: readonly string[] | null): string | undefined {
  const generation = storage.generation;
  if (generation === undefined) return undefined;
  // Ids are URL path segments: they hold no newline.
  return `${generation}\n${pluralUri}\n${rawQuery}\n${shared === null ? '*' : shared.join('\n')}`;
}

export function keptPage(storage: Storage, key: string): KeptPage | undefined {
  return cacheOf(storage).get(key);
}

export function keepPage(storage: Storage, key: string, page: KeptPage): void {
  if (page.body.length > MAX_PAGE_BYTES) return;
  cacheOf(storage).set(key, page);
}
