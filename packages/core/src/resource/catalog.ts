// The resources of one application and their permission inheritance tree
// (Kinto's `PERMISSIONS_INHERITANCE_TREE`, kinto-api.md §7.2). Plugins extend both:
// the accounts and history plugins declare their resources and tree entries the
// same way Kinto's own views do.
import type { ObjectValidator, ResourceDefinition } from './definition.js';
import type { IdGenerator } from './ids.js';

/** Required permission → {resource granting it → permissions there}. */
export type InheritanceTree = Record<string, Record<string, readonly string[]>>;

interface CompiledPath {
  template: string;
  params: string[];
  regexp: RegExp;
  /** Literal text and parameter names alternating, literal first: URIs are filled per request. */
  parts: string[];
}

const PARAM = /:([A-Za-z_][A-Za-z0-9_]*)/g;

function compile(template: string): CompiledPath {
  const params: string[] = [];
  const source = template
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  // `split` with a capturing regexp keeps the names at the odd indexes.
  return { template, params, regexp: new RegExp(`^${source}$`), parts: template.split(PARAM) };
}

function fill(path: CompiledPath, ids: Readonly<Record<string, string>>): string | null {
  const { parts } = path;
  let uri = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const value = ids[parts[i]!];
    if (value === undefined) return null;
    uri += value + parts[i + 1]!;
  }
  return uri;
}

export class ResourceCatalog {
  private readonly definitions = new Map<string, ResourceDefinition>();
  private readonly objectPaths = new Map<string, CompiledPath>();
  private readonly pluralPaths = new Map<string, CompiledPath>();
  private readonly trees = new Map<string, InheritanceTree>();
  private readonly validatorsByName = new Map<string, ObjectValidator[]>();
  /** The id generator of each registered resource (its pattern validates ids in URLs). */
  readonly idGenerators = new Map<string, IdGenerator>();

  add(definition: ResourceDefinition): void {
    if (this.definitions.has(definition.name)) throw new Error(`resource '${definition.name}' is already registered`);
    this.definitions.set(definition.name, definition);
    this.pluralPaths.set(definition.name, compile(definition.pluralPath));
    // Objects have a URI (their ACL's key) even without an object endpoint (history entries).
    const objectPath = definition.objectPath ?? `${definition.pluralPath}/:id`;
    // The own id is `:id` in routes and `<resource>_id` everywhere else (event payloads, children).
    this.objectPaths.set(definition.name, compile(objectPath.replace(/:id$/, `:${definition.name}_id`)));
  }

  get(name: string): ResourceDefinition | undefined {
    return this.definitions.get(name);
  }

  all(): ResourceDefinition[] {
    return [...this.definitions.values()];
  }

  /** Adds (or extends) the inheritance entries of a resource. */
  inherit(resourceName: string, tree: InheritanceTree): void {
    const current = this.trees.get(resourceName) ?? {};
    for (const [permission, granters] of Object.entries(tree)) {
      current[permission] = { ...current[permission], ...granters };
    }
    this.trees.set(resourceName, current);
  }

  tree(resourceName: string): InheritanceTree {
    return this.trees.get(resourceName) ?? {};
  }

  allTrees(): ReadonlyMap<string, InheritanceTree> {
    return this.trees;
  }

  /** Validators run on the final object of writes (JSON schemas, kinto-api.md §9). */
  addValidator(resourceName: string, validator: ObjectValidator): void {
    const list = this.validatorsByName.get(resourceName) ?? [];
    list.push(validator);
    this.validatorsByName.set(resourceName, list);
  }

  validators(resourceName: string): readonly ObjectValidator[] {
    return this.validatorsByName.get(resourceName) ?? [];
  }

  /** `/buckets/b1/collections/c1` from `{bucket_id: 'b1', collection_id: 'c1'}`; null when an id is missing. */
  objectUri(resourceName: string, ids: Readonly<Record<string, string>>): string | null {
    const path = this.objectPaths.get(resourceName);
    return path ? fill(path, ids) : null;
  }

  pluralUri(resourceName: string, ids: Readonly<Record<string, string>>): string | null {
    const path = this.pluralPaths.get(resourceName);
    return path ? fill(path, ids) : null;
  }

  /** The resource and ids of an object URI (`/buckets/b1/groups/g1` → group), or null. */
  match(uri: string): { name: string; ids: Record<string, string> } | null {
    for (const [name, path] of this.objectPaths) {
      const m = path.regexp.exec(uri);
      if (!m) continue;
      const ids: Record<string, string> = {};
      path.params.forEach((param, i) => (ids[param] = m[i + 1]!));
      return { name, ids };
    }
    return null;
  }

  /** Resources stored below an object (bucket → collection, group, record, history…), for cascades. */
  descendants(resourceName: string): ResourceDefinition[] {
    const out: ResourceDefinition[] = [];
    const visit = (name: string) => {
      for (const d of this.definitions.values()) {
        if (d.parent === name && !out.includes(d)) {
          out.push(d);
          visit(d.name);
        }
      }
    };
    visit(resourceName);
    return out;
  }
}

const CATALOG_KEY = 'kinto-ts:resources';

/** The catalog of an application (created on first use, shared through the registry extras). */
export function resourceCatalog(host: { lookup<T>(key: string): T | undefined; provide(key: string, value: unknown): void }): ResourceCatalog {
  let catalog = host.lookup<ResourceCatalog>(CATALOG_KEY);
  if (!catalog) {
    catalog = new ResourceCatalog();
    host.provide(CATALOG_KEY, catalog);
  }
  return catalog;
}
