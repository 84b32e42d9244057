// A reader for PasteDeploy `.ini` files with Python configparser semantics
// (settings.md §1): `[section]` headers, `key = value` or `key: value`,
// indented continuation lines (multi-line values such as `kinto.includes`),
// full-line `#`/`;` comments (no inline comments: the rest of a line is the value),
// and `%(name)s` interpolation from the section, `[DEFAULT]` and the given defaults
// (`here`, `http_port`).
//
// No npm package reads configparser files faithfully (the `ini` package has no
// continuation lines and treats `;` inside values as comments), hence this file.

export type IniSections = Record<string, Record<string, string>>;

export class IniSyntaxError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(`${message} (line ${line})`);
    this.name = 'IniSyntaxError';
    this.line = line;
  }
}

/** Parses the raw text into sections of raw (uninterpolated) values. Keys keep their case, as PasteDeploy sets `optionxform = str`. */
export function parseIni(text: string): IniSections {
  const sections: IniSections = {};
  let current: Record<string, string> | null = null;
  let lastKey: string | null = null;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const trimmed = raw.trim();
    const indented = /^[ \t]/.test(raw);
    if (trimmed === '') {
      // An empty line inside a multi-line value is kept by configparser only
      // when more indented lines follow; we end the value here (empty lines are
      // meaningless in whitespace-separated lists).
      lastKey = null;
      return;
    }
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    if (indented && lastKey !== null && current !== null) {
      current[lastKey] = `${current[lastKey]}\n${trimmed}`;
      return;
    }
    const header = /^\[([^\]]+)\]\s*$/.exec(trimmed);
    if (header) {
      const name = header[1]!.trim();
      current = sections[name] ??= {};
      lastKey = null;
      return;
    }
    if (current === null) throw new IniSyntaxError('File contains no section headers', lineNo);
    const match = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(trimmed);
    if (!match) throw new IniSyntaxError(`Cannot parse line ${JSON.stringify(trimmed)}`, lineNo);
    const key = match[1]!.trim();
    current[key] = match[2]!.trim();
    lastKey = key;
  });
  return sections;
}

/** Resolves `%(name)s` (and `%%`) in every value of a section. */
export function interpolate(
  section: Record<string, string>,
  defaults: Record<string, string>,
  sectionName = 'app:main',
): Record<string, string> {
  const out: Record<string, string> = {};
  const lookup = (name: string, depth: number, key: string): string => {
    if (depth > 10) throw new Error(`Interpolation too deep in [${sectionName}] ${key}`);
    const value = section[name] ?? defaults[name];
    if (value === undefined) {
      throw new Error(`Bad value substitution: option '${key}' in section '${sectionName}' references '%(${name})s', which is not defined`);
    }
    return expand(value, depth + 1, key);
  };
  const expand = (value: string, depth: number, key: string): string =>
    value.replace(/%(%|\(([^)]+)\)s)/g, (_m, token: string, name: string | undefined) =>
      token === '%' ? '%' : lookup(name!, depth, key),
    );
  for (const [key, value] of Object.entries(section)) out[key] = expand(value, 0, key);
  return out;
}
