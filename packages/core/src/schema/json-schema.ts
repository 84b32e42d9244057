// JSON Schema (draft 7) with ajv, the way Kinto uses `jsonschema` (kinto/schema_validation.py,
// kinto-api.md §9): stored schemas are checked against the draft-7 meta-schema,
// data is validated with formats ignored (Python's validators check none by
// default), and compiled validators are cached so that a schema is compiled once
// per (object URI, timestamp), not once per request.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { LRUCache } from 'lru-cache';
import { invalidParameter, invalidParameters } from '../errors.js';
import { lastPathSegment, primaryError, pythonMessage } from './messages.js';
import { pyStr } from './python-repr.js';

// ajv's CommonJS default export under NodeNext.
const Ajv = AjvModule.default ?? AjvModule;
type AjvInstance = InstanceType<typeof Ajv>;

const draft7 = createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-07.json') as Record<string, unknown>;

/**
 * Python's `re` accepts patterns that JavaScript's unicode mode refuses (`\_`);
 * try unicode mode first, then the legacy syntax, so that both schools work.
 */
function lenientRegExp(pattern: string, flags: string): RegExp {
  try {
    return new RegExp(pattern, flags);
  } catch {
    return new RegExp(pattern, flags.replace('u', ''));
  }
}
lenientRegExp.code = 'lenientRegExp';

function isRegex(pattern: string): boolean {
  try {
    lenientRegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

const COMMON = { strict: false, verbose: true, logger: false as const, code: { regExp: lenientRegExp } };

let metaValidator: ValidateFunction | undefined;
function meta(): ValidateFunction {
  // Python's `check_schema` checks the `regex` format (Python `re` is always there);
  // `uri`/`uri-reference` need optional libraries Kinto does not install. Compiled
  // as a plain schema: ajv never checks formats inside its registered meta-schemas.
  if (!metaValidator) {
    const { $id: _id, $schema: _schema, ...metaSchema } = draft7;
    metaValidator = new Ajv({ ...COMMON, formats: { regex: isRegex, uri: true, 'uri-reference': true } }).compile(metaSchema);
  }
  return metaValidator;
}

// Every user schema gets its own ajv instance (as cheap as compiling in a shared one):
// a schema's `$id` can neither clash with another collection's nor shadow or remove
// the draft-7 meta-schema that `$ref`s may point to, and nothing accumulates.
const compiler = (): AjvInstance => new Ajv({ ...COMMON, validateFormats: false, validateSchema: false, addUsedSchema: false });

/** Python's `str()` of a value for colander's `"…" is not a mapping type` messages. */
function notAMapping(name: string, value: unknown) {
  return invalidParameter('body', name, `"${pyStr(value)}" is not a mapping type: Does not implement dict-like functionality.`);
}

/**
 * Checks a schema stored on an object (`data.schema`, `data.record:schema`, …)
 * against the draft-7 meta-schema — also when validation is disabled (kinto-api.md §3.3).
 * The description glues the last path element to the message, as Kinto does:
 * `data.schema in body: type'Washmachine' is not valid under any of the given schemas`.
 * An empty schema is accepted (it disables validation).
 */
export function checkSchemaDocument(value: unknown, name: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw notAMapping(name, value);
  if (Object.keys(value).length === 0) return;
  const validate = meta();
  if (validate(value)) return;
  const error = primaryError(validate.errors ?? [])!;
  const description = (lastPathSegment(error.instancePath) ?? '') + pythonMessage(error);
  throw invalidParameters([{ location: 'body', name, description }]);
}

/** A compiled schema, or the reason it cannot be compiled (unresolvable `$ref`, bad regex…). */
type Compiled = { digest: string; size: number } & ({ validate: ValidateFunction } | { error: string });

export interface SchemaCacheOptions {
  /** Compiled schemas kept in memory (least recently used dropped first). */
  max?: number;
  /** Bound on the total size of the cached schemas, in characters of their JSON text. */
  maxSize?: number;
}

/**
 * Compiled validators keyed by (object URI, timestamp). A digest of the schema text
 * guards against a key reused with another schema (a rolled-back write may hand
 * out the same timestamp again); the size bound keeps huge schemas from piling up.
 */
export class SchemaCache {
  private readonly entries: LRUCache<string, Compiled>;
  /** How many compilations happened (tests check that requests reuse them). */
  compilations = 0;

  constructor(options: SchemaCacheOptions = {}) {
    this.entries = new LRUCache<string, Compiled>({
      max: options.max ?? 500,
      maxSize: options.maxSize ?? 32 * 1024 * 1024,
      sizeCalculation: (entry) => entry.size,
    });
  }

  get(schema: Record<string, unknown>, key?: { uri: string; timestamp: number }): Compiled {
    const source = JSON.stringify(schema);
    const digest = createHash('sha256').update(source).digest('base64');
    const cacheKey = key ? `${key.uri}@${key.timestamp}` : digest;
    const hit = this.entries.get(cacheKey);
    if (hit && hit.digest === digest) return hit;
    const compiled = this.compile(schema, digest, source.length + 1);
    this.entries.set(cacheKey, compiled);
    return compiled;
  }

  private compile(schema: Record<string, unknown>, digest: string, size: number): Compiled {
    this.compilations++;
    try {
      return { digest, size, validate: compiler().compile(schema) };
    } catch (error) {
      return { digest, size, error: (error as Error).message };
    }
  }
}

export interface ValidateOptions {
  /** The id field: ignored unless the schema's `properties` mention it. */
  idField?: string;
  /** Fields removed from the data and from `required` before validation. */
  ignoreFields?: readonly string[];
  /** Cache key of the schema: the URI of the object holding it and that object's timestamp. */
  cacheKey?: { uri: string; timestamp: number };
}

/** The schema with ignored fields removed from `required` (Kinto's `validate_schema`). */
function prepare(schema: Record<string, unknown>, ignored: readonly string[]): Record<string, unknown> {
  const required = Array.isArray(schema.required) ? (schema.required as unknown[]) : undefined;
  if (!required) return schema;
  const kept = required.filter((f) => !(typeof f === 'string' && ignored.includes(f)));
  const { required: _dropped, ...rest } = schema;
  return kept.length > 0 ? { ...rest, required: kept } : rest;
}

function ignoredFields(schema: Record<string, unknown>, options: ValidateOptions): string[] {
  const ignored = [...(options.ignoreFields ?? [])];
  const idField = options.idField ?? 'id';
  const properties = schema.properties;
  const mentionsId = typeof properties === 'object' && properties !== null && Object.prototype.hasOwnProperty.call(properties, idField);
  if (!mentionsId) ignored.push(idField);
  return ignored;
}

/** Kinto's field choice: last instance path element, else the last element of the keyword's value, else the keyword. */
function fieldName(error: ErrorObject): string {
  const segment = lastPathSegment(error.instancePath);
  if (segment !== undefined) return segment;
  const value = error.schema;
  if (Array.isArray(value) && value.length > 0) {
    const last: unknown = value[value.length - 1];
    if (typeof last === 'string' || typeof last === 'number') return String(last);
  }
  return error.keyword;
}

/**
 * Validates `data` against `schema`; 400 errno 107 on failure with the failing
 * field in `details[0].name` (kinto-api.md §9). An unresolvable `$ref` (or any
 * schema that cannot be compiled) is a 400 named `schema`.
 */
export function validateWithSchema(cache: SchemaCache, data: Record<string, unknown>, schema: Record<string, unknown>, options: ValidateOptions = {}): void {
  const ignored = ignoredFields(schema, options);
  const compiled = cache.get(prepare(schema, ignored), options.cacheKey);
  if ('error' in compiled) throw invalidParameter('body', 'schema', compiled.error);
  const subject: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    if (!ignored.includes(k)) Object.defineProperty(subject, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  if (compiled.validate(subject)) return;
  const error = primaryError(compiled.validate.errors ?? [])!;
  throw invalidParameters([{ location: 'body', name: fieldName(error), description: pythonMessage(error) }]);
}
