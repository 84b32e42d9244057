// Filters, sorting and keyset pagination in SQL (kinto-api.md §6.2–§6.4), with the
// semantics of the memory backend (../query.ts): JSON equality (`2` ≠ `"2"`), the
// cross-type order null < string < number < boolean < array < object < missing (a
// missing field is SQL NULL), and dotted fields resolved longest key first. Strings
// compare in the database collation, as in Python Kinto (C collation: byte order). Every value and field name is a bound
// parameter; only operators and column names are written into the SQL text.
import { COMPARISON, type Filter, type Sort } from '../index.js';

/** Collects bound parameters and hands out their `$n` placeholders. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
  json(value: unknown): string {
    return `${this.add(JSON.stringify(value))}::jsonb`;
  }
  text(value: string): string {
    return `${this.add(value)}::text`;
  }
}

/** Memory's `getField` tries every split of a dotted name; beyond this depth the plain path is used. */
const MAX_DOTTED_PARTS = 5;

function resolvePath(expr: string, parts: string[], params: Params): string {
  if (parts.length === 1) return `(${expr}->${params.text(parts[0]!)})`;
  const cases: string[] = [];
  for (let i = parts.length; i >= 1; i--) {
    const head = params.text(parts.slice(0, i).join('.'));
    if (i === parts.length) {
      cases.push(`WHEN ${expr} ? ${head} THEN ${expr}->${head}`);
    } else {
      const child = `(${expr}->${head})`;
      cases.push(`WHEN ${expr} ? ${head} THEN CASE WHEN jsonb_typeof(${child}) = 'object' THEN ${resolvePath(child, parts.slice(i), params)} END`);
    }
  }
  return `(CASE ${cases.join(' ')} END)`;
}

/** The JSONB value of a data field, NULL when missing (kinto-api.md §6.2: dots address nested fields). */
export function dataField(field: string, params: Params): string {
  const parts = field.split('.');
  if (parts.length === 1 || parts.length > MAX_DOTTED_PARTS) {
    return `(data${parts.map((p) => `->${params.text(p)}`).join('')})`;
  }
  return resolvePath('data', parts, params);
}

/** Escapes a value for LIKE; `*` becomes the wildcard (kinto-api.md §6.2 `like_`, parent ids ending with `*`). */
export function likePattern(value: string, wrap: boolean): string {
  const body = wrap && !value.includes('*') ? `*${value}*` : value;
  return body.replace(/[\\%_]/g, '\\$&').replace(/\*/g, '%');
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

const isScalar = (v: unknown) => v === null || typeof v !== 'object';
const isEpoch = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v < 1e15;

const RANGE: Partial<Record<Filter['operator'], string>> = {
  [COMPARISON.LT]: '<',
  [COMPARISON.GT]: '>',
  [COMPARISON.MIN]: '>=',
  [COMPARISON.MAX]: '<=',
};

/** The cross-type rank (§6.2); jsonb_typeof() is NULL for a missing field, which ranks last. */
function rank(v: string): string {
  return `(CASE jsonb_typeof(${v}) WHEN 'null' THEN 0 WHEN 'string' THEN 1 WHEN 'number' THEN 2 WHEN 'boolean' THEN 3 WHEN 'array' THEN 4 WHEN 'object' THEN 5 ELSE 6 END)`;
}

function rankOf(value: unknown): number {
  if (value === null) return 0;
  if (typeof value === 'string') return 1;
  if (typeof value === 'number') return 2;
  if (typeof value === 'boolean') return 3;
  return Array.isArray(value) ? 4 : 5;
}

/**
 * A range comparison: by rank first, then PostgreSQL's JSONB order within one type.
 * (JSONB's own cross-type order is the same, except that it puts a top-level `[]` before null.)
 */
function rangeCondition(v: string, operator: string, target: unknown, params: Params): string {
  const r = rankOf(target);
  const beyond = operator.startsWith('<') ? '<' : '>';
  return `(${rank(v)} ${beyond} ${r} OR (${rank(v)} = ${r} AND ${v} ${operator} ${params.json(target)}))`;
}

/** Conditions on a JSONB expression that is NULL when the field is missing. */
function jsonCondition(v: string, filter: Filter, params: Params): string {
  const target = filter.value;
  // An undefined value is MISSING: pagination past an object lacking the sort field (§6.4).
  const missing = target === undefined;
  switch (filter.operator) {
    case COMPARISON.EQ:
      return missing ? `${v} IS NULL` : `COALESCE(${v} = ${params.json(target)}, FALSE)`;
    case COMPARISON.NOT:
      return missing ? `${v} IS NOT NULL` : `(${v} IS NULL OR ${v} <> ${params.json(target)})`;
    case COMPARISON.LT:
      return missing ? `${v} IS NOT NULL` : rangeCondition(v, '<', target, params);
    case COMPARISON.MAX:
      return missing ? 'TRUE' : rangeCondition(v, '<=', target, params);
    case COMPARISON.GT:
      return missing ? 'FALSE' : rangeCondition(v, '>', target, params);
    case COMPARISON.MIN:
      return missing ? `${v} IS NULL` : rangeCondition(v, '>=', target, params);
    case COMPARISON.IN: {
      const list = asList(target).map((t) => JSON.stringify(t));
      return `COALESCE(${v} = ANY(${params.add(list)}::jsonb[]), FALSE)`;
    }
    case COMPARISON.EXCLUDE: {
      const list = asList(target).map((t) => JSON.stringify(t));
      return `(${v} IS NULL OR NOT (${v} = ANY(${params.add(list)}::jsonb[])))`;
    }
    case COMPARISON.LIKE: {
      const text = `(CASE jsonb_typeof(${v}) WHEN 'string' THEN ${v} #>> '{}' WHEN 'null' THEN NULL ELSE ${v}::text END)`;
      return `COALESCE(${text} ILIKE ${params.text(likePattern(String(target), true))} ESCAPE '\\', FALSE)`;
    }
    case COMPARISON.HAS:
      return target ? `${v} IS NOT NULL` : `${v} IS NULL`;
    case COMPARISON.CONTAINS: {
      const list = asList(target);
      // `@>` matches nested arrays/objects partially; for them, compare elements by JSON equality.
      const all = list.every(isScalar)
        ? `${v} @> ${params.json(list)}`
        : `NOT EXISTS (SELECT 1 FROM jsonb_array_elements(${params.json(list)}) AS wanted(value)
             WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(${v}) AS item(value) WHERE item.value = wanted.value))`;
      // CASE fixes the evaluation order: jsonb_array_elements() fails on non-arrays.
      return `(CASE WHEN jsonb_typeof(${v}) = 'array' THEN ${all} ELSE FALSE END)`;
    }
    case COMPARISON.CONTAINS_ANY: {
      const list = asList(target).map((t) => JSON.stringify(t));
      return `(CASE WHEN jsonb_typeof(${v}) = 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements(${v}) AS item(value)
             WHERE item.value = ANY(${params.add(list)}::jsonb[])) ELSE FALSE END)`;
    }
    default:
      return 'FALSE';
  }
}

function idCondition(filter: Filter, params: Params): string {
  const target = filter.value;
  const op = filter.operator;
  if (typeof target === 'string') {
    if (op === COMPARISON.EQ) return `id = ${params.text(target)}`;
    if (op === COMPARISON.NOT) return `id <> ${params.text(target)}`;
    if (RANGE[op]) return `id ${RANGE[op]} ${params.text(target)}`;
  }
  const list = asList(target);
  if ((op === COMPARISON.IN || op === COMPARISON.EXCLUDE) && list.every((t) => typeof t === 'string')) {
    const cond = `id = ANY(${params.add(list)}::text[])`;
    return op === COMPARISON.IN ? cond : `NOT (${cond})`;
  }
  if (op === COMPARISON.LIKE) return `id ILIKE ${params.text(likePattern(String(target), true))} ESCAPE '\\'`;
  return jsonCondition('to_jsonb(id)', filter, params);
}

function lastModifiedCondition(filter: Filter, params: Params): string {
  const target = filter.value;
  const op = filter.operator;
  // Range conditions on the raw column use the (parent_id, resource_name, last_modified) index.
  if (isEpoch(target)) {
    if (op === COMPARISON.EQ) return `as_epoch(last_modified) = ${params.add(target)}::bigint`;
    if (op === COMPARISON.NOT) return `as_epoch(last_modified) <> ${params.add(target)}::bigint`;
    if (RANGE[op]) return `last_modified ${RANGE[op]} from_epoch(${params.add(target)}::bigint)`;
  }
  const list = asList(target);
  if ((op === COMPARISON.IN || op === COMPARISON.EXCLUDE) && list.every(isEpoch)) {
    const cond = `as_epoch(last_modified) = ANY(${params.add(list)}::bigint[])`;
    return op === COMPARISON.IN ? cond : `NOT (${cond})`;
  }
  if (op === COMPARISON.LIKE) {
    return `as_epoch(last_modified)::text ILIKE ${params.text(likePattern(String(target), true))} ESCAPE '\\'`;
  }
  return jsonCondition('to_jsonb(as_epoch(last_modified))', filter, params);
}

export function filterCondition(filter: Filter, params: Params): string {
  if (filter.field === 'id') return idCondition(filter, params);
  if (filter.field === 'last_modified') return lastModifiedCondition(filter, params);
  return jsonCondition(dataField(filter.field, params), filter, params);
}

/** AND of filters; `TRUE` when there are none. */
export function filtersSql(filters: Filter[] | undefined, params: Params): string {
  if (!filters?.length) return 'TRUE';
  return filters.map((f) => `(${filterCondition(f, params)})`).join(' AND ');
}

/** OR of AND-lists (keyset pagination, §6.4); `TRUE` when there are none. */
export function paginationSql(rules: Filter[][] | undefined, params: Params): string {
  if (!rules?.length) return 'TRUE';
  return rules.map((rule) => `(${filtersSql(rule, params)})`).join(' OR ');
}

/** ORDER BY clause: by rank, so missing fields sort last ascending and first descending (§6.3). */
export function sortingSql(sorting: Sort[] | undefined, params: Params): string {
  if (!sorting?.length) return '';
  const terms = sorting.map(({ field, direction }) => {
    const dir = direction < 0 ? 'DESC' : 'ASC';
    // Qualified: a bare `last_modified` would name the selected as_epoch() alias and miss the list index.
    if (field === 'id' || field === 'last_modified') return `objects.${field} ${dir}`;
    const v = dataField(field, params);
    return `${rank(v)} ${dir}, ${v} ${dir}`;
  });
  return `ORDER BY ${terms.join(', ')}`;
}

/** `parent_id = $n`, or a LIKE when the parent id holds `*` (cascades on every matching list). */
export function parentSql(parentId: string, params: Params, column = 'parent_id'): string {
  if (!parentId.includes('*')) return `${column} = ${params.text(parentId)}`;
  return `${column} LIKE ${params.text(likePattern(parentId, false))} ESCAPE '\\'`;
}
