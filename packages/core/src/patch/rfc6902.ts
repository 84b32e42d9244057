// RFC 6902 (JSON Patch) operations on a JSON document, applied in place.
//
// Hand-written rather than fast-json-patch (kinto-api.md §4.7 c, §11.4): its
// validation deep-clones the whole document for every `move`/`copy` operation and
// `move` clones the destination too (O(operations × document size)), and it treats
// inherited members (`constructor`, `toString`) as existing ones. Here a path walk
// only looks at own members, every step is O(path length), and the bytes that
// `copy` may duplicate are budgeted, so a patch's work is bounded by its size.

export const JSON_PATCH_OPS = ['test', 'add', 'remove', 'replace', 'move', 'copy'] as const;
export type JsonPatchOp = (typeof JSON_PATCH_OPS)[number];

export interface JsonPatchOperation {
  op: JsonPatchOp;
  path: string;
  from?: string;
  value?: unknown;
}

/** A failed operation; the message is the reason shown after `JSON Patch operation failed: `. */
export class JsonPatchFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPatchFailure';
  }
}

export interface ApplyOptions {
  /** Budget of (approximate JSON) bytes that `copy` operations may duplicate in total. */
  maxCopiedBytes?: number;
}

type Container = Record<string, unknown> | unknown[];

const DEFAULT_MAX_COPIED_BYTES = 10 * 1024 * 1024;
const INDEX = /^(0|[1-9][0-9]*)$/;

const hasOwn = (obj: object, key: string) => Object.prototype.hasOwnProperty.call(obj, key);

/** Defines an own enumerable member, so that `__proto__` is plain data, never the prototype. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** `/a/b~1c` → `['a', 'b/c']` (RFC 6901). */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchFailure(`location must start with /: '${pointer}'`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~(?![01])/.test(token)) throw new JsonPatchFailure(`found invalid escape sequence in '${pointer}'`);
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

function arrayIndex(array: unknown[], token: string, pointer: string, allowEnd: boolean): number {
  if (token === '-' && allowEnd) return array.length;
  if (!INDEX.test(token)) throw new JsonPatchFailure(`'${token}' is not a valid sequence index in '${pointer}'`);
  const index = Number(token);
  const last = allowEnd ? array.length : array.length - 1;
  if (index > last) throw new JsonPatchFailure(`index '${token}' is out of bounds in '${pointer}'`);
  return index;
}

/** The container holding the last token of `pointer`, and that token. */
function resolveParent(document: Container, pointer: string): { parent: Container; key: string } {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new JsonPatchFailure('operations on the whole document are not supported');
  let node: unknown = document;
  for (let i = 0; i < tokens.length - 1; i++) {
    node = child(node, tokens[i]!, pointer);
  }
  if (!isContainer(node)) throw new JsonPatchFailure(`cannot reach '${tokens.at(-1)}' in a ${typeName(node)} at '${pointer}'`);
  return { parent: node, key: tokens.at(-1)! };
}

function child(node: unknown, token: string, pointer: string): unknown {
  if (Array.isArray(node)) return node[arrayIndex(node, token, pointer, false)];
  if (isContainer(node)) {
    if (!hasOwn(node, token)) throw new JsonPatchFailure(`member '${token}' not found in '${pointer}'`);
    return (node as Record<string, unknown>)[token];
  }
  throw new JsonPatchFailure(`cannot reach '${token}' in a ${typeName(node)} at '${pointer}'`);
}

function getValue(document: Container, pointer: string): unknown {
  const { parent, key } = resolveParent(document, pointer);
  return child(parent, key, pointer);
}

function add(document: Container, pointer: string, value: unknown): void {
  const { parent, key } = resolveParent(document, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, true), 0, value);
  else setOwn(parent, key, value);
}

function remove(document: Container, pointer: string): unknown {
  const { parent, key } = resolveParent(document, pointer);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, pointer, false), 1)[0];
  if (!hasOwn(parent, key)) throw new JsonPatchFailure(`can't remove a non-existent object '${key}'`);
  const removed = parent[key];
  delete parent[key];
  return removed;
}

function replace(document: Container, pointer: string, value: unknown): void {
  const { parent, key } = resolveParent(document, pointer);
  if (Array.isArray(parent)) parent[arrayIndex(parent, key, pointer, false)] = value;
  else if (!hasOwn(parent, key)) throw new JsonPatchFailure(`can't replace a non-existent object '${key}'`);
  else setOwn(parent, key, value);
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isContainer(a) || !isContainer(b) || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ka = Object.keys(a);
  const bb = b as Record<string, unknown>;
  return ka.length === Object.keys(bb).length && ka.every((k) => hasOwn(bb, k) && jsonEqual((a as Record<string, unknown>)[k], bb[k]));
}

/** A deep copy charged to `budget`; throws once the budget is spent (bounds `copy` doubling attacks). */
function budgetedClone(value: unknown, budget: { left: number }): unknown {
  const charge = (n: number) => {
    budget.left -= n;
    if (budget.left < 0) throw new JsonPatchFailure('copied values exceed the size limit of a patch');
  };
  const clone = (v: unknown): unknown => {
    if (typeof v === 'string') {
      charge(v.length + 2);
      return v;
    }
    if (!isContainer(v)) {
      charge(8);
      return v;
    }
    charge(2);
    if (Array.isArray(v)) return v.map(clone);
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) {
      charge(k.length + 4);
      setOwn(out, k, clone(item));
    }
    return out;
  };
  return clone(value);
}

/**
 * Applies the operations in order to `document` (mutated). The caller passes a
 * copy and discards it on failure, so a failing patch changes nothing.
 */
export function applyOperations(document: Container, operations: readonly JsonPatchOperation[], options: ApplyOptions = {}): void {
  const budget = { left: options.maxCopiedBytes ?? DEFAULT_MAX_COPIED_BYTES };
  for (const operation of operations) {
    const { op, path } = operation;
    const needsValue = op === 'add' || op === 'replace' || op === 'test';
    if (needsValue && !('value' in operation)) throw new JsonPatchFailure("The operation does not contain a 'value' member");
    if ((op === 'move' || op === 'copy') && typeof operation.from !== 'string') {
      throw new JsonPatchFailure("The operation does not contain a 'from' member");
    }
    switch (op) {
      case 'add':
        add(document, path, operation.value);
        break;
      case 'remove':
        remove(document, path);
        break;
      case 'replace':
        replace(document, path, operation.value);
        break;
      case 'test': {
        const actual = getValue(document, path);
        if (!jsonEqual(actual, operation.value)) throw new JsonPatchFailure(`test failed: value at '${path}' is not equal to the tested value`);
        break;
      }
      case 'move': {
        const from = operation.from!;
        if (from === path) {
          getValue(document, from);
          break;
        }
        if (path.startsWith(`${from}/`)) throw new JsonPatchFailure('Cannot move values into their own children');
        add(document, path, remove(document, from));
        break;
      }
      case 'copy':
        add(document, path, budgetedClone(getValue(document, operation.from!), budget));
        break;
      default:
        throw new JsonPatchFailure(`unknown operation '${String(op)}'`);
    }
  }
}
