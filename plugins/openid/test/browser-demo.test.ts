// The demo web app of the docs in headless Chromium (issue #7 item 7, openid.md §13
// item 54): button → kinto /login → oidc-provider's login form → kinto /token →
// the page reads the tokens from its fragment and asks Kinto who the user is.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumSkip } from '@kinto-ts/core/testing';
import { chromium, type BrowserContext } from 'playwright-core';
import { openIdSettings, startKinto } from './helpers/kinto.js';
import { startOidcProvider } from './helpers/oidc-provider.js';

const DEMO = join(dirname(fileURLToPath(import.meta.url)), '../../../examples/openid-demo');
const KINTO_HTTP = join(dirname(createRequire(import.meta.url).resolve('kinto-http/package.json')), 'dist/kinto-http.min.js');

/** The demo folder plus kinto-http's browser bundle, from a loopback static server. */
async function serveDemo(t: { after(fn: () => unknown): void }): Promise<string> {
  const files: Record<string, [string, string]> = {
    '/index.html': [join(DEMO, 'index.html'), 'text/html; charset=utf-8'],
    '/app.js': [join(DEMO, 'app.js'), 'text/javascript'],
    '/kinto-http.min.js': [KINTO_HTTP, 'text/javascript'],
  };
  const server = createServer(async (req, res) => {
    const file = files[(req.url ?? '/').split('?')[0]!];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[1] }).end(await readFile(file[0]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('the demo page logs in through the IdP form and shows the Kinto user id', { skip: chromiumSkip() }, async (t) => {
  const idp = await startOidcProvider([{ client_id: 'demo-app', client_secret: 'demo-secret', providers: ['idp1'] }], t);
  const kinto = await startKinto(
    t,
    openIdSettings({ idp1: { issuer: idp.issuer, client_id: 'demo-app', client_secret: 'demo-secret', authorized_domains: '127.0.0.1:*' } }),
  );
  const server = await kinto.listen({ port: 0, host: '127.0.0.1' });
  const demo = await serveDemo(t);

  const profile = await mkdtemp(join(tmpdir(), 'kinto-openid-chromium-'));
  t.after(() => rm(profile, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 640, height: 300 },
    args: [...CHROMIUM_ARGS],
  });
  try {
    await useDemo(context, demo, server);
  } finally {
    // Before the servers close: Chromium's open (even speculative) connections would hold them.
    await context.close();
  }
});

async function useDemo(context: BrowserContext, demo: string, server: string): Promise<void> {
  // Loopback only: the IdP's form imports web fonts, which must not stall page loads offline.
  await context.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort());
  const page = context.pages()[0] ?? (await context.newPage());

  const query = new URLSearchParams({ server, provider: 'idp1', scope: 'openid email' });
  await page.goto(`${demo}/index.html?${query}`);
  await page.click('#login');
  // oidc-provider's development login form.
  await page.fill('input[name="login"]', 'alice');
  await page.fill('input[name="password"]', 'any password');
  await page.click('button[type="submit"]');
  // Its consent form: oidc-provider always asks native (loopback) clients to confirm.
  await page.locator('button[type="submit"]', { hasText: 'Continue' }).click();
  await page.waitForURL((url) => url.href.startsWith(`${demo}/index.html`));
  await page.locator('#status', { hasText: 'You are' }).waitFor();
  assert.equal(await page.textContent('#status'), 'You are idp1:alice');
  assert.equal(new URL(page.url()).hash, '', 'the page removes the tokens from the address bar');

  // `OPENID_DEMO_SCREENSHOT=docs/plugins/img/openid-demo.png` refreshes the docs' picture.
  if (process.env.OPENID_DEMO_SCREENSHOT) await page.screenshot({ path: process.env.OPENID_DEMO_SCREENSHOT });
}
