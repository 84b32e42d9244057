// Python's `repr()` of JSON values. Kinto's validation messages quote the offending
// value the way Python prints it (`'hi!' is not of type 'number'`,
// `"{'data': {}}" is not iterable`); clients and docs match on those forms
// (kinto-api.md §2.1, §9, §11.1).

/** `repr(value)` for a JSON value: `None`, `True`, `'text'`, `[1, 2]`, `{'a': 1}`. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const items = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyString(k)}: ${pyRepr(v)}`);
    return `{${items.join(', ')}}`;
  }
  return String(value);
}

function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  // JSON integers are Python ints, printed in full (no exponent).
  if (Number.isInteger(n)) return BigInt(n).toString();
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Python's choice of quotes: single, unless the text holds a single quote and no double quote. */
function pyString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '\\') out += '\\\\';
    else if (char === quote) out += `\\${quote}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return out + quote;
}

/** `str(value)`: like `repr` except that a string is itself (colander's `"${val}"` messages). */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}
