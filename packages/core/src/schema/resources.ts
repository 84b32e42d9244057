// Wires JSON-schema checks into Kinto's resources through the resource layer's
// validation hook (run on the final object of POST/PUT/PATCH, any PATCH dialect):
// meta-schema checks of stored schemas always, validation of records, collections
// and groups when `experimental_collection_schema_validation` is on (kinto-api.md
// §3.3, §9; settings.md §3.4), plus the `schema` capability.
import type { KintoApp } from '../app.js';
import { resourceCatalog } from '../resource/catalog.js';
import type { ResourceContext } from '../resource/definition.js';
import { resourceHost } from '../resource/register.js';
import { SCHEMA_CAPABILITY, SchemaValidation, type SchemaContext, type SchemaParent, type ValidatedResource } from './validation.js';

const KEY = 'kinto-ts:schema-validation';

function parent(uri: string | null, object: Record<string, unknown> | null): SchemaParent | null {
  if (!uri || !object) return null;
  return { uri, object: object as SchemaParent['object'] };
}

/** Registers the schema validators of buckets, collections, groups and records; returns the validation state. */
export function registerSchemaValidation(kinto: KintoApp): SchemaValidation {
  const host = resourceHost(kinto);
  const enabled = kinto.registry.settings.core.experimental_collection_schema_validation;
  const validation = new SchemaValidation({ enabled });
  host.provide(KEY, validation);
  if (enabled) kinto.registry.addCapability('schema', SCHEMA_CAPABILITY);

  const catalog = resourceCatalog(host);
  const context = async (resource: ResourceContext): Promise<SchemaContext> => {
    const bucketId = resource.ids.bucket_id ?? '';
    const schemaContext: SchemaContext = {
      bucketId,
      bucket: async () => parent(catalog.objectUri('bucket', resource.ids), await resource.ancestor('bucket')),
    };
    if (resource.definition.name === 'record') {
      const collection = parent(catalog.objectUri('collection', resource.ids), await resource.ancestor('collection'));
      if (collection) schemaContext.collection = collection;
    }
    return schemaContext;
  };

  for (const name of ['bucket', 'collection'] as const) {
    catalog.addValidator(name, (_resource, object) => validation.checkStoredSchemas(name, object));
  }
  for (const name of ['collection', 'group', 'record'] as ValidatedResource[]) {
    catalog.addValidator(name, async (resource, object) => {
      if (!validation.enabled) return undefined;
      return validation.validate(name, object, await context(resource));
    });
  }
  return validation;
}

/** The validation state of an application (its compiled-schema cache), once registered. */
export function schemaValidationOf(kinto: KintoApp): SchemaValidation | undefined {
  return kinto.registry.extras.get(KEY) as SchemaValidation | undefined;
}
