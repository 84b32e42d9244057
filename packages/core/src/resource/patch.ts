// PATCH dialects chosen by Content-Type (kinto-api.md §4.7). The plain JSON
// shallow merge lives here; `application/merge-patch+json` (RFC 7396) and
// `application/json-patch+json` (RFC 6902) plug in with `registerPatchDialect`.
import { invalidParameter, invalidParameters } from '../errors.js';
import { jsonPatchDialect, mergePatchDialect } from '../patch/dialects.js';
import type { Acl } from '../permission/index.js';
import type { KintoObject } from '../storage/index.js';
import { parseEnvelope } from './body.js';

export const PATCH_CONTENT_TYPES = ['application/json', 'application/merge-patch+json', 'application/json-patch+json'];

export interface PatchInput {
  /** The stored object. */
  existing: KintoObject;
  /** Its current ACL. */
  acl: Acl;
  /** The parsed request body (undefined when empty). */
  body: unknown;
  /** Permission names allowed on this resource. */
  permissions: readonly string[];
}

export interface PatchResult {
  /** The object after the patch (its `id` may differ: the caller refuses a mismatch). */
  data: Record<string, unknown>;
  /** The requested changes, for `Response-Behavior: light|diff`. */
  changes: Record<string, unknown>;
  /** Permissions to write; absent: ACL untouched. */
  permissions?: Acl;
  /** True when `permissions` is the whole new ACL (JSON-Patch); false: only the listed permissions change. */
  replacePermissions: boolean;
}

export type PatchDialect = (input: PatchInput) => PatchResult | Promise<PatchResult>;

/** `application/json`: top-level keys of `data` replace the stored ones; listed permissions are replaced. */
export const jsonMergeDialect: PatchDialect = ({ existing, body, permissions }) => {
  if (body === undefined) throw invalidParameter('body', 'data', 'Provide at least one of data or permissions');
  const envelope = parseEnvelope(body, permissions);
  if (envelope.data === undefined && envelope.permissions === undefined) {
    throw invalidParameters([{ location: 'body', name: 'data', description: 'Provide at least one of data or permissions' }]);
  }
  const changes = envelope.data ?? {};
  return {
    data: { ...existing, ...changes },
    changes,
    permissions: envelope.permissions,
    replacePermissions: false,
  };
};

const dialects = new Map<string, PatchDialect>([
  ['application/json', jsonMergeDialect],
  ['application/merge-patch+json', mergePatchDialect],
  ['application/json-patch+json', jsonPatchDialect],
]);

/** Registers the dialect of a PATCH content type (the merge-patch and JSON-Patch implementations). */
export function registerPatchDialect(contentType: string, dialect: PatchDialect): void {
  dialects.set(contentType.toLowerCase(), dialect);
}

/** The dialect of a request Content-Type (none: plain JSON); null when no implementation is registered. */
export function patchDialect(contentType: string | undefined): PatchDialect | null {
  const type = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  return dialects.get(type) ?? null;
}
