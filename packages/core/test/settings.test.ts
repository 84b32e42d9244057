// Settings: .ini files read as Python Kinto reads them (settings.md §1–§2, §8).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSettingsFromIni, parseIni, Settings, StartupError } from '../src/index.js';

function iniFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kinto-settings-'));
  const path = join(dir, 'kinto.ini');
  writeFileSync(path, text);
  return path;
}

const PYTHON_LAYOUT = `# A file written for Python Kinto
[server:main]
use = egg:waitress#main
host = 0.0.0.0
port = %(http_port)s

[app:main]
use = egg:kinto
; a comment
kinto.includes = kinto.plugins.default_bucket
                 kinto.plugins.flush
#                 kinto.plugins.history
kinto.paginate_by = 10
kinto.project_docs = %(here)s/docs
multiauth.policies = basicauth
kinto.eos_message = it's over; really: see http://x#y

[loggers]
keys = root, kinto

[logger_root]
level = INFO
handlers = console
`;

test('continuation lines, comments, %(here)s and [server:main] are read as configparser does', () => {
  const path = iniFile(PYTHON_LAYOUT);
  const settings = loadSettingsFromIni(path, { env: {} });
  assert.deepEqual(settings.core.includes, ['kinto.plugins.default_bucket', 'kinto.plugins.flush']);
  assert.equal(settings.core.paginate_by, 10);
  assert.equal(settings.core.project_docs, `${join(path, '..')}/docs`);
  assert.equal(settings.core.host, '0.0.0.0');
  assert.equal(settings.core.port, 8888, '%(http_port)s defaults to 8888');
  assert.deepEqual(settings.core['multiauth.policies'], ['basicauth']);
  // No inline comments: the rest of the line is the value.
  assert.equal(settings.core.eos_message, "it's over; really: see http://x#y");
});

test('--port fills %(http_port)s and wins over [server:main]', () => {
  const settings = loadSettingsFromIni(iniFile(PYTHON_LAYOUT), { port: 9999, env: {} });
  assert.equal(settings.core.port, 9999);
});

test('keys keep their case and sections other than app:main are kept apart', () => {
  const sections = parseIni('[app:main]\nMixed.Key = 1\n[other]\nx = 2\n');
  assert.deepEqual(sections['app:main'], { 'Mixed.Key': '1' });
  assert.deepEqual(sections.other, { x: '2' });
});

test('prefixed and unprefixed keys are the same setting; different values conflict (checklist 1)', () => {
  const same = new Settings({ 'kinto.paginate_by': '10', paginate_by: '10' }, { env: {} });
  assert.equal(same.core.paginate_by, 10);
  assert.throws(
    () => new Settings({ 'kinto.paginate_by': '10', paginate_by: '20' }, { env: {}, iniPath: 'x.ini' }),
    (error: unknown) => error instanceof StartupError && error.code === 'KINTO_ERR_SETTING_CONFLICT' && /paginate_by/.test(error.message),
  );
});

test('environment overrides: KINTO_<KEY> > <KEY> > file > default (checklist 2, 3)', () => {
  const env = { KINTO_PAGINATE_BY: '5', PAGINATE_BY: '7', READONLY: 'true', KINTO_MULTIAUTH_POLICY_BASICAUTH_USE: 'other' };
  const settings = new Settings({ 'kinto.paginate_by': '10' }, { env });
  assert.equal(settings.core.paginate_by, 5);
  assert.equal(settings.core.readonly, true);
  assert.equal(settings.get('multiauth.policy.basicauth.use'), 'other');
  assert.equal(new Settings({ paginate_by: '10' }, { env: { PAGINATE_BY: '7' } }).core.paginate_by, 7);
});

test('values are JSON-decoded: "1.2" with quotes stays a string (checklist 4)', () => {
  const settings = new Settings({ 'x.quoted': '"1.2"', 'x.number': '1.2', 'x.word': 'True' }, { env: {} });
  assert.equal(settings.get('x.quoted'), '1.2');
  assert.equal(settings.get('x.number'), 1.2);
  assert.equal(settings.get('x.word'), 'True');
});

test('lenient booleans and whitespace lists', () => {
  const settings = new Settings({ readonly: 'yes', cors_origins: 'a.org\n  b.org   c.org' }, { env: {} });
  assert.equal(settings.core.readonly, true);
  assert.deepEqual(settings.core.cors_origins, ['a.org', 'b.org', 'c.org']);
  assert.equal(new Settings({ readonly: 'nope' }, { env: {} }).core.readonly, false);
});

test('an empty value for a nullable number means unset (checklist 15)', () => {
  assert.equal(new Settings({ cors_max_age_seconds: '' }, { env: {} }).core.cors_max_age_seconds, null);
});

test('a wrong value stops start-up with one line naming the key and the file', () => {
  const path = iniFile('[server:main]\nport = abc\n[app:main]\nkinto.paginate_by = -3\n');
  assert.throws(
    () => loadSettingsFromIni(path, { env: {} }),
    (error: unknown) =>
      error instanceof StartupError &&
      error.code === 'KINTO_ERR_SETTING' &&
      error.message.includes("'port'") &&
      error.message.includes("'paginate_by'") &&
      error.message.includes(path) &&
      !error.message.includes('\n'),
  );
});

test('a missing or sectionless file is a clear start-up error', () => {
  assert.throws(() => loadSettingsFromIni('/nonexistent/kinto.ini'), /cannot read configuration file \/nonexistent\/kinto.ini: file not found/);
  assert.throws(() => loadSettingsFromIni(iniFile('key = value\n')), /no section headers/);
  assert.throws(() => loadSettingsFromIni(iniFile('[server:main]\nport = 1\n')), /no \[app:main\] section/);
});

test('plugins define typed settings with defaults and env overrides', () => {
  const settings = new Settings({ 'fxa-oauth.cache_ttl_seconds': '60', 'x.count': 'abc' }, { env: { KINTO_FXA_OAUTH_RELIER_ENABLED: 'false' } });
  const typed = settings.define<{ 'fxa-oauth.cache_ttl_seconds': number; 'fxa-oauth.relier.enabled': boolean }>({
    'fxa-oauth.cache_ttl_seconds': { type: 'integer', default: 300 },
    'fxa-oauth.relier.enabled': { type: 'boolean', default: true },
  });
  assert.equal(typed['fxa-oauth.cache_ttl_seconds'], 60);
  assert.equal(typed['fxa-oauth.relier.enabled'], false);
  assert.ok(Object.isFrozen(typed));
  assert.throws(() => settings.define({ 'x.count': { type: 'integer', default: 1 } }), /invalid value "abc" for setting 'x.count'/);
});
