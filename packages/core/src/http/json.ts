// JSON in and out as Kinto does it (kinto-api.md §2.1, §2.2).
import { invalidParameters, type ValidationDetail } from '../errors.js';

const REQUIRED: ValidationDetail = { location: 'body', name: '', description: 'Required' };

function invalidJson(description: string) {
  return invalidParameters([{ location: 'body', name: '', description }, REQUIRED], { message: description });
}

/** The nesting depth of a JSON text, counted without parsing (strings are skipped). */
function jsonDepth(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > limit) return false;
    } else if (c === 125 || c === 93) depth--;
  }
  return true;
}

// Only numbers beyond a double's range (±1.8e308) are refused, as Kinto's rapidjson does.
const HUGE_NUMBER = /\d{300,}|[eE][+]?\d{3,}/;

/**
 * Parses a request body. Empty → undefined. Invalid JSON, a BOM, non-UTF-8 bytes,
 * numbers that do not fit a double, or nesting beyond `maxDepth` → 400 errno 107.
 */
export function parseJsonBody(buffer: Buffer, maxDepth: number): unknown {
  if (buffer.length === 0) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buffer);
  } catch {
    throw invalidJson(`Invalid JSON: 'utf-8' codec can't decode the request body`);
  }
  if (text.trim() === '') return undefined;
  if (text.charCodeAt(0) === 0xfeff) throw invalidJson('Invalid JSON: Unexpected UTF-8 BOM');
  if (!jsonDepth(text, maxDepth)) throw invalidJson(`Invalid JSON: nesting deeper than ${maxDepth} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidJson(`Invalid JSON: ${(error as Error).message}`);
  }
  if (HUGE_NUMBER.test(text) && hasUnsafeNumber(value)) {
    throw invalidJson('Invalid JSON: Number too big to be stored in double.');
  }
  if (value === null || typeof value !== 'object') {
    throw invalidParameters([{ location: 'body', name: '', description: 'Should be a JSON object or an array' }, REQUIRED], {
      message: 'Should be a JSON object or an array',
    });
  }
  return value;
}

function hasUnsafeNumber(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (Array.isArray(value)) return value.some(hasUnsafeNumber);
  if (value && typeof value === 'object') return Object.values(value).some(hasUnsafeNumber);
  return false;
}

const NON_ASCII = /[\u007f-\uffff]/g;

// Frozen objects never change (the memory storage hands out its stored records
// frozen), so their JSON text is kept: a page of records then costs one
// JSON.stringify per record ever, not per response — stringify was the largest
// share of a record page after writing to the socket (docs/performance.md).
const frozenText = new WeakMap<object, string>();

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/** Frozen all the way down: freezing is irreversible, so such a value never changes. */
function deepFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  // Only plain objects and arrays: a frozen Date still changes through setTime().
  if (!Array.isArray(value) && !isPlain(value)) return false;
  return Object.isFrozen(value) && Object.values(value).every(deepFrozen);
}

/** The kept JSON text of a deep-frozen object; undefined when it is not deep-frozen. */
function frozenJson(value: object): string | undefined {
  let text = frozenText.get(value);
  if (text === undefined) {
    if (!deepFrozen(value)) return undefined;
    text = JSON.stringify(value);
    frozenText.set(value, text);
  }
  return text;
}

/**
 * The JSON of a response envelope whose arrays hold frozen plain objects
 * (`{data: [...]}`), assembled from their kept texts; undefined for any other
 * shape, which JSON.stringify serialises as usual.
 */
function envelopeJson(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !isPlain(value)) return undefined;
  const members: string[] = [];
  let frozenSeen = false;
  for (const key of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[key];
    let text: string | undefined;
    if (Array.isArray(member)) {
      const items: string[] = [];
      for (const item of member) {
        if (item === null || typeof item !== 'object' || !Object.isFrozen(item) || Array.isArray(item) || !isPlain(item)) return undefined;
        const itemText = frozenJson(item);
        if (itemText === undefined) return undefined;
        items.push(itemText);
      }
      frozenSeen ||= items.length > 0;
      text = `[${items.join(',')}]`;
    } else {
      // Only members that are no containers: their JSON is JSON.stringify's own.
      if (member !== null && (typeof member === 'object' || typeof member === 'function')) return undefined;
      text = JSON.stringify(member) as string | undefined;
      if (text === undefined) continue;
    }
    members.push(`${JSON.stringify(key)}:${text}`);
  }
  return frozenSeen ? `{${members.join(',')}}` : undefined;
}

/** JSON with non-ASCII characters as `\uXXXX` (uppercase hex), `/` unescaped, like Kinto's renderer. */
export function serializeJson(value: unknown): string {
  const text = envelopeJson(value) ?? JSON.stringify(value) ?? 'null';
  NON_ASCII.lastIndex = 0;
  if (!NON_ASCII.test(text)) return text;
  NON_ASCII.lastIndex = 0;
  return text.replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}
