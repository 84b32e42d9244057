// Typed settings: one JSON-schema property per key gives both the default and the
// type. Values are prepared the way Kinto reads them (lenient booleans, lists split
// on whitespace, "" meaning unset for nullable numbers) and then checked by ajv,
// which reports every error at once.
import AjvModule from 'ajv';
import { StartupError } from '../errors.js';
import { asBool, asList } from './values.js';

// ajv's CommonJS default export under NodeNext.
const Ajv = AjvModule.default ?? AjvModule;

type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'null' | 'object';

export interface SettingSpec {
  type: JsonType | readonly JsonType[];
  default?: unknown;
  description?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  items?: { type: JsonType };
  /** Shown in hello `settings` (kinto-api.md §10.1). */
  public?: boolean;
}

export type SettingsSpec = Record<string, SettingSpec>;

function typesOf(spec: SettingSpec): readonly JsonType[] {
  return typeof spec.type === "string" ? [spec.type] : spec.type;
}

/** Prepares a raw (JSON-decoded) value for the declared type. */
export function prepareValue(spec: SettingSpec, value: unknown): unknown {
  const types = typesOf(spec);
  if (value === undefined) return value;
  const nullable = types.includes('null');
  if (nullable && (value === '' || value === null)) return null;
  if (types.includes('boolean') && !types.includes('string')) return asBool(value);
  if (types.includes('array')) return asList(value);
  if (types.includes('string') && !types.includes('null') && value === null) return '';
  if (types.includes('string') && typeof value !== 'string' && value !== null) {
    // `project_version = 1.0` is JSON-decoded to a number; a string setting keeps its text.
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  }
  return value;
}

export interface SettingsProblem {
  key: string;
  value: unknown;
  reason: string;
}

/**
 * Prepares and validates `values` against `spec`. Returns the typed, frozen subset.
 * Throws one StartupError naming every wrong key (and the file, when given).
 */
export function validateSettings<T>(spec: SettingsSpec, values: Record<string, unknown>, source?: string): Readonly<T> {
  const properties: Record<string, unknown> = {};
  const prepared: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(spec)) {
    const { public: _public, description: _description, ...schema } = s;
    properties[key] = schema;
    const raw = key in values ? values[key] : s.default;
    prepared[key] = prepareValue(s, raw);
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile({ type: 'object', properties });
  if (!validate(prepared)) {
    const problems: SettingsProblem[] = (validate.errors ?? []).map((e) => {
      const key = e.instancePath.split('/')[1] ?? '';
      return { key, value: values[key], reason: e.message ?? 'invalid' };
    });
    const where = source ? ` in ${source}` : '';
    const text = problems
      .map((p) => `invalid value ${JSON.stringify(p.value)} for setting '${p.key}'${where}: ${p.reason}`)
      .join('; ');
    throw new StartupError('KINTO_ERR_SETTING', text);
  }
  return Object.freeze(prepared) as Readonly<T>;
}

/** Defaults of a spec, as a plain map (for the env-override step). */
export function defaultsOf(spec: SettingsSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(spec)) if (s.default !== undefined) out[key] = s.default;
  return out;
}
