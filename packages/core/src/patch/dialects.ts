// The PATCH dialects of kinto-api.md §4.7 b and c, plugged into the resource
// layer's seam (`PatchDialect` of resource/patch.ts) by Content-Type.
import { invalidParameters } from '../errors.js';
import { isPlainObject, parseEnvelope } from '../resource/body.js';
import type { PatchDialect } from '../resource/patch.js';
import { applyJsonPatch, parseJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';

function atLeastOne() {
  return invalidParameters([{ location: 'body', name: 'data', description: 'Provide at least one of data or permissions' }]);
}

/** `application/merge-patch+json`: RFC 7396 on `data`; on `permissions` null removes, lists replace. */
export const mergePatchDialect: PatchDialect = ({ existing, acl, body, permissions }) => {
  if (body === undefined) throw atLeastOne();
  // The envelope rules of plain PATCH (kinto-api.md §2.1); null permission values are kept here.
  const envelope = parseEnvelope(body, permissions);
  if (envelope.data === undefined && envelope.permissions === undefined) throw atLeastOne();
  const raw = body as Record<string, unknown>;
  const result = applyMergePatch(
    { data: existing, permissions: acl },
    { data: envelope.data, permissions: isPlainObject(raw.permissions) ? raw.permissions : undefined },
    { permissions },
  );
  return {
    data: result.data,
    changes: envelope.data ?? {},
    // Without `permissions` in the body the ACL is left as it is.
    permissions: envelope.permissions === undefined ? undefined : result.permissions,
    replacePermissions: true,
  };
};

/** `application/json-patch+json`: RFC 6902 operations on `{data, permissions}`; the result replaces the ACL. */
export const jsonPatchDialect: PatchDialect = ({ existing, acl, body, permissions }) => {
  const operations = parseJsonPatch(body);
  const result = applyJsonPatch({ data: existing, permissions: acl }, operations, { permissions });
  // Kinto's `applied_changes` is the whole patched data (Response-Behavior light/diff).
  return { data: result.data, changes: result.data, permissions: result.permissions, replacePermissions: true };
};
