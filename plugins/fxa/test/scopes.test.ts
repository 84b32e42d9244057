// FxA scope semantics: every vector of fxa.md §11.6 (checklist 64), plus the glob
// matcher of `webapp.authorized_domains` (Python fnmatch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fnmatch, scopeMatches } from '../src/index.js';

const split = (s: string) => (s === '""' ? [''] : s.split(' '));
const OLDSYNC = 'https://identity.mozilla.com/apps/oldsync';

const VALID: Array<[string, string]> = [
  ['profile:write', 'profile'],
  ['profile', 'profile:email'],
  ['profile:write', 'profile:email'],
  ['profile:write', 'profile:email:write'],
  ['profile:email:write', 'profile:email'],
  ['profile profile:email:write', 'profile:display_name'],
  [`profile ${OLDSYNC}`, OLDSYNC],
  [OLDSYNC, `${OLDSYNC}#read`],
  [OLDSYNC, `${OLDSYNC}/bookmarks#read`],
  [`${OLDSYNC}#read`, `${OLDSYNC}/bookmarks#read`],
  ['foo bar:baz', 'foo:mah:pa bar:baz:quux'],
  ['abc', 'abc:xyz'],
  ['abc def', 'abc:xyz def:123'],
];

const INVALID: Array<[string, string]> = [
  ['profile:email:write', 'profile'],
  ['profile:email:write', 'profile:write'],
  ['profile:email', 'profile:display_name'],
  ['profilebogey', 'profile'],
  ['profile:write', OLDSYNC],
  ['profile profile:email:write', 'profile:write'],
  ['https', OLDSYNC],
  [OLDSYNC, 'profile'],
  [`${OLDSYNC}#read`, `${OLDSYNC}/bookmarks`],
  [`${OLDSYNC}#write`, `${OLDSYNC}/bookmarks#read`],
  [`${OLDSYNC}/bookmarks`, OLDSYNC],
  ['https://identity.mozilla.com/apps/oldsyncer', OLDSYNC],
  [OLDSYNC, 'https://identity.mozilla.com/apps/oldsyncer'],
  ['https://identity.mozilla.org/apps/oldsync', OLDSYNC],
  ['abc', 'def'],
  ['abc', 'abc def'],
  ['abc:xyz', 'abc'],
  ['abc:xyz', 'abc:123'],
  ['abc', '""'],
];

test('scope vectors that must match', () => {
  for (const [provided, required] of VALID) {
    assert.equal(scopeMatches(split(provided), split(required)), true, `${provided} → ${required}`);
  }
});

test('scope vectors that must not match', () => {
  for (const [provided, required] of INVALID) {
    assert.equal(scopeMatches(split(provided), split(required)), false, `${provided} ↛ ${required}`);
  }
});

test('an empty required list always matches', () => {
  assert.equal(scopeMatches(['anything'], []), true);
  assert.equal(scopeMatches([], []), true);
});

test('authorized_domains globs behave like Python fnmatch', () => {
  const cases: Array<[string, string, boolean]> = [
    ['readinglist.firefox.com', '*.firefox.com', true],
    ['a.b.firefox.com', '*.firefox.com', true],
    ['firefox.com', '*.firefox.com', false],
    ['not-whitelisted.tld', '*.firefox.com', false],
    ['app.firefox.com:8443', '*.firefox.com', false],
    ['app.firefox.com:8443', '*.firefox.com:*', true],
    ['ab.com', '?b.com', true],
    ['abb.com', '?b.com', false],
    ['ab.com', '[a-c]b.com', true],
    ['db.com', '[a-c]b.com', false],
    ['db.com', '[!a-c]b.com', true],
    ['ab.com', '[!a-c]b.com', false],
    ['[x.com', '[x.com', true],
    ['APP.Example.COM', '*.example.com', true],
    ['anything', '*', true],
    ['exampleXcom', 'example.com', false],
  ];
  for (const [name, pattern, expected] of cases) assert.equal(fnmatch(name, pattern), expected, `${name} ~ ${pattern}`);
});
