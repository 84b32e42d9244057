// JSON-schema validation of Kinto's objects (kinto-api.md §9, settings.md §3.4
// `experimental_collection_schema_validation`): records against their collection's
// `schema` and their bucket's `record:schema`; collections and groups against the
// bucket's `collection:schema` / `group:schema`. Kinto's `kinto/schema_validation.py`
// and the `process_object` of `kinto/views/{records,collections,groups}.py`.
import { missingParent } from '../errors.js';
import { checkSchemaDocument, SchemaCache, validateWithSchema } from './json-schema.js';

export const SCHEMA_CAPABILITY = {
  description: 'Validates collection records with JSON schemas.',
  url: 'https://kinto.readthedocs.io/en/latest/api/1.x/collections.html#collection-json-schema',
} as const;

/** The resources whose schema can be declared on their bucket. */
export type ValidatedResource = 'record' | 'collection' | 'group';

/** A stored parent object and its URI (`/buckets/b1`, `/buckets/b1/collections/c1`). */
export interface SchemaParent {
  uri: string;
  object: Record<string, unknown> & { last_modified: number };
}

export interface SchemaContext {
  bucketId: string;
  /** The parent bucket, or null when it does not exist (→ 404 errno 111). Only called when validation is on. */
  bucket: () => Promise<SchemaParent | null> | SchemaParent | null;
  /** For records: the parent collection. */
  collection?: SchemaParent;
}

// The fields of stored schemas, checked against the meta-schema even when validation is off (§3.3).
const STORED_SCHEMAS: Readonly<Record<string, readonly string[]>> = {
  bucket: ['collection:schema', 'group:schema', 'record:schema'],
  collection: ['schema'],
};

// Server-managed fields never validated (and stripped from `required`); `id` too
// unless the schema's `properties` name it (§9).
const IGNORED: Readonly<Record<ValidatedResource, readonly string[]>> = {
  record: ['last_modified', 'schema'],
  collection: ['last_modified'],
  group: ['last_modified'],
};

function isSchema(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class SchemaValidation {
  readonly enabled: boolean;
  readonly cache: SchemaCache;

  constructor(options: { enabled: boolean; cacheSize?: number }) {
    this.enabled = options.enabled;
    this.cache = new SchemaCache({ max: options.cacheSize });
  }

  /** Meta-schema checks of the schemas a bucket or a collection carries in its `data` (always on). */
  checkStoredSchemas(resourceName: string, data: Record<string, unknown>): void {
    for (const field of STORED_SCHEMAS[resourceName] ?? []) {
      if (Object.prototype.hasOwnProperty.call(data, field)) checkSchemaDocument(data[field], `data.${field}`);
    }
  }

  /**
   * Validates the final object of a POST/PUT/PATCH and returns what to store:
   * records valid against their collection's schema get `schema: <collection
   * last_modified>`. Does nothing when validation is disabled.
   */
  async validate(resourceName: ValidatedResource, object: Record<string, unknown>, context: SchemaContext): Promise<Record<string, unknown>> {
    if (!this.enabled) return object;
    const ignoreFields = IGNORED[resourceName];
    let result = object;
    const collection = context.collection;
    if (resourceName === 'record' && collection && Object.prototype.hasOwnProperty.call(collection.object, 'schema')) {
      const schema = collection.object.schema;
      if (isSchema(schema)) {
        validateWithSchema(this.cache, object, schema, {
          ignoreFields,
          cacheKey: { uri: collection.uri, timestamp: collection.object.last_modified },
        });
      }
      result = { ...object, schema: collection.object.last_modified };
    }

    const bucket = await context.bucket();
    if (!bucket) throw missingParent(context.bucketId, 'bucket');
    const field = `${resourceName}:schema`;
    const bucketSchema = bucket.object[field];
    if (isSchema(bucketSchema)) {
      validateWithSchema(this.cache, result, bucketSchema, {
        ignoreFields,
        cacheKey: { uri: `${bucket.uri}#${field}`, timestamp: bucket.object.last_modified },
      });
    }
    return result;
  }
}
