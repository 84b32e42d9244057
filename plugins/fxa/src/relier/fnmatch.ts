// Python's `fnmatch` (the matcher kinto-fxa uses for `webapp.authorized_domains`):
// `*` any run of characters (dots included), `?` one character, `[...]` a class,
// `[!...]` a negated class, an unclosed `[` a literal. Glob libraries differ on
// these points (negation syntax, braces, path separators), hence this translation.

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** The regular expression of a pattern, anchored, case-insensitive. */
export function translate(pattern: string): RegExp {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i++]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      let j = i;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(i, j);
      i = j + 1;
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      // Keep ranges (`a-z`), escape everything else that is special inside a class.
      const cls = body.replace(/[\\\]^[]/g, '\\$&');
      out += negate ? `[^${cls}]` : `[${cls}]`;
    } else out += escape(c);
  }
  return new RegExp(`^(?:${out})$`, 'is');
}

export function fnmatch(name: string, pattern: string): boolean {
  return translate(pattern).test(name);
}
