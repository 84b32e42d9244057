// The login flow end to end in headless Chromium (checklist 60): the app page
// sends the browser to Kinto's login, the FxA fixture signs the user in, Kinto
// trades the code and redirects back with the token in the URL fragment, and that
// token authenticates the user. Uses the system Chromium, never a downloaded one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumSkip } from '@kinto-ts/core/testing';
import { chromium } from 'playwright-core';
import { bearer, fxaSettings, startFxa, startKinto } from './helpers.js';


test('login in a browser: the app page receives #<token>, which authenticates as fxa:{uid}', { skip: chromiumSkip() }, async (t) => {
  // Launched first so that it closes first: the servers' close waits for the connections it holds open.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] });
  t.after(() => browser.close());

  const app = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>app</title><p>signed in</p>');
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    app.closeAllConnections(); // Chromium keeps its keep-alive connections open
    return new Promise<void>((resolve) => app.close(() => resolve()));
  });
  const appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

  const fxa = await startFxa(t);
  // Kinto must listen before its token URL can be registered at FxA, so the client id is fixed here.
  const client = { id: '5882386c6d801776', secret: 'a'.repeat(64) };
  const kinto = await startKinto(
    t,
    fxaSettings(fxa, {
      'fxa-oauth.client_id': client.id,
      'fxa-oauth.client_secret': client.secret,
      'fxa-oauth.webapp.authorized_domains': '127.0.0.1:*',
    }),
  );
  const address = await kinto.listen({ port: 0, host: '127.0.0.1' });
  fxa.addClient({ ...client, redirectUri: `${address}/v1/fxa-oauth/token`, allowedScopes: ['profile', 'kinto'] });

  const page = await browser.newPage();
  await page.goto(`${address}/v1/fxa-oauth/login?redirect=${encodeURIComponent(`${appOrigin}/#`)}`, { waitUntil: 'load' });
  assert.equal(new URL(page.url()).origin, appOrigin);
  // What the app's own script would read: `location.hash` (the fragment never reaches a server).
  const fragment = await page.evaluate('window.location.hash');
  assert.ok(typeof fragment === 'string');
  assert.match(fragment, /^#[0-9a-f]{64}$/);

  const response = await fetch(`${address}/v1/`, { headers: bearer(fragment.slice(1)) });
  const body = (await response.json()) as { user?: { id: string } };
  assert.equal(body.user?.id, `fxa:${fxa.state.signedInUser}`);
});
