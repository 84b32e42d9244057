// ajv errors rendered as Python's `jsonschema` words them, since Kinto's clients
// and docs show those messages (kinto-api.md §9: `'title' is a required property`,
// `'hi!' is not of type 'number'`). Keywords without a known form keep ajv's text.
import type { ErrorObject } from 'ajv';
import { pyRepr } from './python-repr.js';

/** The error jsonschema would raise first: the outermost failing keyword, which ajv reports last. */
export function primaryError(errors: readonly ErrorObject[]): ErrorObject | undefined {
  // `if` and `propertyNames` wrap the real failure reported just before them.
  for (let i = errors.length - 1; i >= 0; i--) {
    const keyword = errors[i]!.keyword;
    if ((keyword === 'if' || keyword === 'propertyNames') && i > 0) continue;
    return errors[i];
  }
  return undefined;
}

/** The last segment of an ajv instance path (`/author/name` → `name`), or undefined at the root. */
export function lastPathSegment(instancePath: string): string | undefined {
  if (instancePath === '') return undefined;
  return instancePath.slice(instancePath.lastIndexOf('/') + 1).replace(/~1/g, '/').replace(/~0/g, '~');
}

function extras(error: ErrorObject): string[] {
  const data = error.data;
  const parent = error.parentSchema as Record<string, unknown> | undefined;
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !parent) {
    return [String((error.params as { additionalProperty?: string }).additionalProperty)];
  }
  const properties = Object.keys((parent.properties as object | undefined) ?? {});
  const patterns = Object.keys((parent.patternProperties as object | undefined) ?? {}).flatMap((p) => {
    try {
      return [new RegExp(p, 'u')];
    } catch {
      return [];
    }
  });
  return Object.keys(data).filter((k) => !properties.includes(k) && !patterns.some((re) => re.test(k)));
}

function unexpected(list: string[]): string {
  return `(${list.map(pyRepr).join(', ')} ${list.length === 1 ? 'was' : 'were'} unexpected)`;
}

/** jsonschema's message for an ajv error (ajv must run with `verbose: true`). */
export function pythonMessage(error: ErrorObject): string {
  const v = pyRepr(error.data);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${pyRepr(p.missingProperty)} is a required property`;
    case 'type': {
      const types = Array.isArray(error.schema) ? (error.schema as string[]) : [String(p.type)];
      return `${v} is not of type ${types.map(pyRepr).join(', ')}`;
    }
    case 'additionalProperties':
      return `Additional properties are not allowed ${unexpected(extras(error))}`;
    case 'additionalItems':
      return `Additional items are not allowed`;
    case 'enum':
      return `${v} is not one of ${pyRepr(error.schema)}`;
    case 'const':
      return `${pyRepr(error.schema)} was expected`;
    case 'minimum':
      return `${v} is less than the minimum of ${pyRepr(p.limit)}`;
    case 'maximum':
      return `${v} is greater than the maximum of ${pyRepr(p.limit)}`;
    case 'exclusiveMinimum':
      return `${v} is less than or equal to the minimum of ${pyRepr(p.limit)}`;
    case 'exclusiveMaximum':
      return `${v} is greater than or equal to the maximum of ${pyRepr(p.limit)}`;
    case 'multipleOf':
      return `${v} is not a multiple of ${pyRepr(p.multipleOf)}`;
    case 'minLength':
    case 'minItems':
      return `${v} is too short`;
    case 'maxLength':
    case 'maxItems':
      return `${v} is too long`;
    case 'uniqueItems':
      return `${v} has non-unique elements`;
    case 'pattern':
      return `${v} does not match ${pyRepr(p.pattern)}`;
    case 'format':
      return `${v} is not a ${pyRepr(p.format)}`;
    case 'minProperties':
      return `${v} does not have enough properties`;
    case 'maxProperties':
      return `${v} has too many properties`;
    case 'anyOf':
      return `${v} is not valid under any of the given schemas`;
    case 'oneOf':
      return Array.isArray(p.passingSchemas)
        ? `${v} is valid under each of ${(p.passingSchemas as unknown[]).map(pyRepr).join(', ')}`
        : `${v} is not valid under any of the given schemas`;
    case 'not':
      return `${v} should not be valid under ${pyRepr(error.schema)}`;
    case 'dependencies':
    case 'dependentRequired':
      return `${pyRepr(p.missingProperty)} is a dependency of ${pyRepr(p.property)}`;
    case 'contains':
      return `${v} does not contain items matching the given schema`;
    case 'false schema':
      return `False schema does not allow ${v}`;
    default:
      return `${v} ${error.message ?? 'is invalid'}`;
  }
}
