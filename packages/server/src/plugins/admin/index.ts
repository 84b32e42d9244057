// `kinto.plugins.admin` (kinto-api.md B7, settings.md §3.13): serves a Kinto Admin
// build at `/v1/admin/`, adds the `admin` capability and enables `/permissions`.
// kinto-ts ships no UI: `admin_assets_path` names the folder of a Kinto Admin build
// (the `build/` of Kinto/kinto-admin, or Python Kinto's `kinto/plugins/admin/build`);
// without it the route answers a 404 saying so.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import { definePlugin, ERRORS, KintoError, sendError, StartupError, urlNotFound, type PluginApi } from '@kinto-ts/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PERMISSIONS_ENDPOINT_FLAG } from './flag.js';

export { PERMISSIONS_ENDPOINT_FLAG };

// The UI runs scripts and styles from its own folder and talks to any Kinto server
// the user types in; the API's `default-src 'none'` would block all of it.
const ADMIN_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src *; frame-ancestors 'none'; base-uri 'self'";

interface AdminSettings {
  admin_assets_path: string | null;
}

/** The UI version: the build's `VERSION` file (Python Kinto's layout) or its `package.json`. */
function buildVersion(root: string): string | null {
  try {
    return readFileSync(join(root, 'VERSION'), 'utf8').trim() || null;
  } catch {
    // fall through
  }
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}

function notInstalled(): KintoError {
  return new KintoError(404, {
    errno: ERRORS.MISSING_RESOURCE,
    message:
      'The Kinto Admin UI is not installed on this server: set admin_assets_path to the folder of a Kinto Admin build (see docs/plugins/admin.md).',
  });
}

function includeme(api: PluginApi): void {
  const settings = api.settings.define<AdminSettings>({
    admin_assets_path: { type: ['string', 'null'], default: null, description: 'Folder of a Kinto Admin build served at /v1/admin/.' },
  });
  let root: string | null = null;
  if (settings.admin_assets_path !== null) {
    const base = api.settings.iniPath ? resolve(api.settings.iniPath, '..') : process.cwd();
    root = resolve(base, settings.admin_assets_path);
    if (!existsSync(join(root, 'index.html')) || !statSync(root).isDirectory()) {
      throw new StartupError('KINTO_ERR_SETTING', `admin_assets_path = ${settings.admin_assets_path}: no index.html in ${root}`);
    }
  }

  api.addCapability('admin', {
    version: root ? buildVersion(root) : null,
    description: 'Serves the admin console.',
    url: 'https://github.com/Kinto/kinto-admin/',
  });
  api.provide(PERMISSIONS_ENDPOINT_FLAG, true);

  const core = api.settings.core;
  api.routes(async (app: FastifyInstance) => {
    app.get('/admin', async (request: FastifyRequest, reply: FastifyReply) => {
      const scheme = core.http_scheme ?? request.protocol ?? 'http';
      const host = core.http_host ?? request.headers.host ?? `${core.host}:${core.port}`;
      const url = request.raw.url ?? '';
      const query = url.includes('?') ? url.slice(url.indexOf('?')) : '';
      return reply
        .code(307)
        .header('location', `${scheme}://${host}/v1/admin/${query}`)
        .type('text/plain; charset=UTF-8')
        .send('307 Temporary Redirect\n\nThe resource has been moved to /v1/admin/; you should be redirected automatically.\n\n');
    });
    if (root === null) {
      const refuse = async () => {
        throw notInstalled();
      };
      app.get('/admin/', refuse);
      app.get('/admin/*', refuse);
      return;
    }
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('content-security-policy', ADMIN_CSP);
    });
    // Paths the file server refuses (`..`, encoded slashes) are simply not found here;
    // everything else goes to the core's handler (thrown errors reach the parent's).
    app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
      if (error.statusCode === 403 || error.statusCode === 400) return sendError(request, reply, urlNotFound());
      throw error;
    });
    await app.register(fastifyStatic, {
      root,
      prefix: '/admin/',
      decorateReply: false,
      redirect: false,
      index: ['index.html'],
      // The build's own files only: no dot files, no listing.
      dotfiles: 'ignore',
      list: false,
    });
  });
}

export const adminPlugin = definePlugin({ name: '@kinto-ts/server/admin', includeme });
export default adminPlugin;
