// FxA scope semantics (fxa.md §11.6), as PyFxA implements them in `fxa/_utils.py`:
// a provided scope may imply narrower ones (`profile:write` → `profile:email`,
// `https://…/apps/oldsync` → `https://…/apps/oldsync/bookmarks#read`).

const URL_SCOPE = 'https:';

/** Splits a `required_scope` setting on whitespace. */
export function splitScopes(value: string): string[] {
  return value.split(/\s+/).filter((s) => s !== '');
}

/** The normalised form used to detect two clients requiring the same scopes (fxa.md §3, kinto-ts rule 1). */
export function normalizeScopes(value: string): string {
  return [...new Set(splitScopes(value))].sort().join(' ');
}

function splitFragment(scope: string): [string, string] {
  const at = scope.lastIndexOf('#');
  return at < 0 ? [scope, ''] : [scope.slice(0, at), scope.slice(at + 1)];
}

/** True when the provided scope value implies the required one. */
export function scopeImplies(provided: string, required: string): boolean {
  if (provided.startsWith(URL_SCOPE)) {
    if (!required.startsWith(URL_SCOPE)) return false;
    const [providedUrl, providedFragment] = splitFragment(provided);
    const [requiredUrl, requiredFragment] = splitFragment(required);
    if (requiredUrl !== providedUrl && !requiredUrl.startsWith(`${providedUrl}/`)) return false;
    return providedFragment === '' || providedFragment === requiredFragment;
  }
  if (required.startsWith(URL_SCOPE)) return false;
  let p = provided.split(':');
  let r = required.split(':');
  // `write` is the broader access: it implies the read-only form, never the reverse.
  if (r[r.length - 1] === 'write') {
    if (p[p.length - 1] !== 'write') return false;
    p = p.slice(0, -1);
    r = r.slice(0, -1);
  } else if (p[p.length - 1] === 'write') {
    p = p.slice(0, -1);
  }
  if (p.length > r.length) return false;
  return p.every((part, i) => part === r[i]);
}

/** PyFxA `scope_matches`: every required value is implied by at least one provided value; [] always matches. */
export function scopeMatches(provided: readonly string[], required: readonly string[]): boolean {
  return required.every((r) => provided.some((p) => scopeImplies(p, r)));
}
