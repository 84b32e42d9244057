// Value syntax shared by the `.ini` file, the environment and the querystring
// (settings.md §1.1): JSON first, raw string otherwise; lenient booleans;
// whitespace-separated lists.

/** `native_value` of Kinto: `10` → 10, `true` → true, `"1.2"` → "1.2", `Ben` → "Ben". */
export function nativeValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

const TRUTHY = new Set(['true', 'yes', 'on', 'y', 't', '1']);

/** Kinto's `asbool`: true for true/yes/on/y/t/1 (any case) and boolean true; everything else false. */
export function asBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1;
  if (typeof value === 'string') return TRUTHY.has(value.trim().toLowerCase());
  return false;
}

/** Kinto's `aslist`: split on any whitespace, newlines included; arrays are kept. */
export function asList(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.map((v) => String(v));
  return String(value)
    .split(/\s+/)
    .filter((item) => item !== '');
}

/** The environment variable name of a setting key: `multiauth.policy.fxa.use` → `MULTIAUTH_POLICY_FXA_USE`. */
export function envName(key: string): string {
  return key.replace(/[.-]/g, '_').toUpperCase();
}
