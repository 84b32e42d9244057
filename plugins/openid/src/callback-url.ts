// The login `callback` (openid.md §7.1, beyond.md item 1): a URL in colander's
// syntax that kinto-ts also requires to be absolute http(s) without userinfo or
// backslash, and whose host must match `authorized_domains` when it is set, so
// that the login endpoint is not an open redirect for the IdP's tokens.

const MAX_LENGTH = 2048;
// colander's url: host is IPv4, [IPv6], localhost or a dotted name ending in a 2+ letter TLD.
const URL_SYNTAX =
  /^https?:\/\/(?:(?:\d{1,3}\.){3}\d{1,3}|\[[0-9a-f:.]+\]|localhost|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63})(?::\d{1,5})?(?:[/?#]\S*)?$/i;

/** The trimmed callback, or the description of what is wrong with it. */
export function checkCallback(raw: string | undefined): { url: string } | { error: string } {
  const value = raw?.trim() ?? '';
  if (value === '') return { error: 'Required' };
  if (value.length > MAX_LENGTH) return { error: `Longer than maximum length ${MAX_LENGTH}` };
  if (!URL_SYNTAX.test(value) || value.includes('\\')) return { error: 'Must be a URL' };
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return { error: 'Must be a URL' };
  }
  if (parsed.username !== '' || parsed.password !== '') return { error: 'Must be a URL' };
  return { url: value };
}

/**
 * Shell-style glob as `fxa-oauth.webapp.authorized_domains` (fxa.md §9.2): `*` any
 * run of characters (dots included), `?` one character, `[...]` a class (`[!...]` negated).
 */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith('!');
      if (negated) body = body.slice(1);
      out += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else out += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'i');
}

/** True when the callback's `host` (hostname plus non-default port) matches a pattern. */
export function isAuthorized(url: string, patterns: string[]): boolean {
  const host = new URL(url).host;
  return patterns.some((pattern) => globToRegExp(pattern).test(host));
}
