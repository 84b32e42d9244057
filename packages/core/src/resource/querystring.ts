// The raw querystring of a resource request (kinto-api.md §6.1): decoded by hand so
// that bad UTF-8 is Kinto's 400, repeated parameters become lists, and values are
// JSON-decoded when they can be.
import type { FastifyRequest } from 'fastify';
import { ERRORS, KintoError } from '../errors.js';

/** name → raw values, in order of appearance. */
export type RawQuery = Map<string, string[]>;

function decode(component: string): string {
  return decodeURIComponent(component.replace(/\+/g, ' '));
}

export function rawQueryString(request: FastifyRequest): string {
  const url = request.raw.url ?? request.url;
  const q = url.indexOf('?');
  return q >= 0 ? url.slice(q + 1) : '';
}

export function parseRawQuery(request: FastifyRequest): RawQuery {
  const raw = rawQueryString(request);
  const out: RawQuery = new Map();
  if (raw === '') return out;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let name: string;
    let value: string;
    try {
      name = decode(eq >= 0 ? part.slice(0, eq) : part);
      value = eq >= 0 ? decode(part.slice(eq + 1)) : '';
    } catch {
      throw new KintoError(400, {
        errno: ERRORS.INVALID_PARAMETERS,
        message: `A request with an incorrect encoding in the querystring wasreceived. Please make sure your requests are encoded in UTF-8: ${raw}`,
      });
    }
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  }
  return out;
}

/** Kinto's `native_value`: JSON when it parses, the raw string otherwise. */
export function nativeQueryValue(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** The single value of a parameter; a repeated one is a list (Python's repr in messages). */
export function single(query: RawQuery, name: string): string | string[] | undefined {
  const values = query.get(name);
  if (!values) return undefined;
  return values.length === 1 ? values[0] : values;
}
