// The `redirect` parameter of the login (fxa.md §9.1–9.2): colander's URL syntax,
// then kinto-ts's stricter rules (absolute http(s), no userinfo, no backslash), then
// the host against `fxa-oauth.webapp.authorized_domains` globs.
import { fnmatch } from './fnmatch.js';

export const MAX_URL_LENGTH = 2048;

// colander's `url` validator: optional scheme, optional user:pass@, a host (dotted
// name ending in a 2+ letter TLD, localhost, [IPv6] or IPv4), optional port, then a
// rest starting with `/`, `?` or `#`.
const COLANDER_URL =
  /^(?:(?:https?|ftps?):\/\/)?(?:[^\s:@/]+(?::[^\s:@/]*)?@)?(?:(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?|localhost|\[[a-f0-9:.]+\]|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?::\d+)?(?:[/?#]\S*)?$/i;

export type UrlCheck = { ok: true; url: URL; value: string } | { ok: false; description: string };

/** Validates a URL query parameter; the description is the one Kinto's schema gives. */
export function checkUrl(raw: unknown): UrlCheck {
  const value = typeof raw === 'string' ? raw.trim() : '';
  if (value === '') return { ok: false, description: 'Required' };
  if (value.length > MAX_URL_LENGTH) return { ok: false, description: `Longer than maximum length ${MAX_URL_LENGTH}` };
  const mustBeUrl = { ok: false, description: 'Must be a URL' } as const;
  // A scheme-less value would become a relative redirect; userinfo and backslashes
  // confuse host parsers (kinto-ts, fxa.md §9.1).
  if (!COLANDER_URL.test(value) || !/^https?:\/\//i.test(value) || value.includes('\\')) return mustBeUrl;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return mustBeUrl;
  }
  if (url.username !== '' || url.password !== '') return mustBeUrl;
  return { ok: true, url, value };
}

/**
 * Shell-style globs (`*`, `?`, `[...]`) on the URL's `host` (lower-case, with the
 * port when not the default one), case-insensitively. No pattern: nothing allowed.
 */
export function isAuthorizedHost(url: URL, patterns: readonly string[]): boolean {
  const host = url.host.toLowerCase();
  return patterns.some((pattern) => fnmatch(host, pattern));
}
