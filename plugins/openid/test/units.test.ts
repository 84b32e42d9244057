// Unit vectors (openid.md §13 items 19, 49) and the small pure helpers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verificationDigest } from '@kinto-ts/openid';
import { checkCallback, globToRegExp, isAuthorized } from '../src/callback-url.js';
import { bearerToken, formatUserId } from '../src/policy.js';
import { readCookie } from '../src/state.js';

test('verification cache key vector (openid.md §5.1)', () => {
  assert.equal(
    `openid:verify:${verificationDigest('', 'https://google-issuer', '123', '', 'avrbnnbrbr')}`,
    'openid:verify:24c5005651efc3cda836c2985ba1a7c8349af2e18d8f33157eaa2719ab9d20f3',
  );
  assert.notEqual(verificationDigest('', 'https://google-issuer', '123', '', 'a'), verificationDigest('', 'https://google-issuer', '123', '', 'b'));
});

test('user ids are formatted like Python str()', () => {
  assert.equal(formatUserId('abc'), 'abc');
  assert.equal(formatUserId(123), '123');
  assert.equal(formatUserId(1.5), '1.5');
  assert.equal(formatUserId(true), 'True');
  assert.equal(formatUserId(false), 'False');
  for (const value of [null, undefined, '', [], {}, ['a']]) assert.equal(formatUserId(value), null);
});

test('Authorization parsing', () => {
  assert.equal(bearerToken('Bearer abc', 'Bearer'), 'abc');
  assert.equal(bearerToken('bearer abc', 'Bearer'), 'abc');
  assert.equal(bearerToken('Bearer+OIDC abc', 'bearer+oidc'), 'abc');
  assert.equal(bearerToken('Bearer abc def', 'Bearer'), 'abc def');
  for (const header of [undefined, '', 'avrbnnbrbr', 'Basic avrbnnbrbr', 'Bearer ']) assert.equal(bearerToken(header, 'Bearer'), null);
});

test('callback URLs and host globs', () => {
  assert.deepEqual(checkCallback(' https://app.example.com/#t= '), { url: 'https://app.example.com/#t=' });
  assert.deepEqual(checkCallback('http://127.0.0.1:8080/x'), { url: 'http://127.0.0.1:8080/x' });
  assert.deepEqual(checkCallback(`http://a.example.com/${'x'.repeat(2048)}`), { error: 'Longer than maximum length 2048' });
  for (const bad of ['ftp://app.example.com/', 'http://app.example.com\\@evil.com/', 'http://ui/', '//app.example.com/']) {
    assert.deepEqual(checkCallback(bad), { error: 'Must be a URL' }, bad);
  }
  assert.ok(globToRegExp('*.firefox.com').test('readinglist.firefox.com'));
  assert.ok(!globToRegExp('*.firefox.com').test('firefox.com'));
  assert.ok(globToRegExp('app?.example.com').test('app1.example.com'));
  assert.ok(globToRegExp('app[!0-9].example.com').test('appx.example.com'));
  assert.ok(!globToRegExp('app[!0-9].example.com').test('app1.example.com'));
  assert.ok(!isAuthorized('https://app.firefox.com:8443/', ['*.firefox.com']));
  assert.ok(isAuthorized('https://app.firefox.com:8443/', ['*.firefox.com:*']));
  assert.ok(isAuthorized('https://APP.Firefox.com/', ['*.firefox.com']));
});

test('cookies', () => {
  assert.equal(readCookie('a=1; kinto_oauth_state=xyz; b=2', 'kinto_oauth_state'), 'xyz');
  assert.equal(readCookie('a=1', 'kinto_oauth_state'), undefined);
  assert.equal(readCookie(undefined, 'kinto_oauth_state'), undefined);
});
