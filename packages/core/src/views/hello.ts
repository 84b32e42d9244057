// `GET /v1/` — server information (kinto-api.md §10.1).
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { FastifyRequest } from 'fastify';
import type { KintoApp } from '../app.js';
import { rootUrl } from '../http/hooks.js';

function configInfo(path: string | undefined): Record<string, unknown> | null {
  const file = process.env.KINTO_INI ?? path ?? 'config/kinto.ini';
  try {
    const content = readFileSync(file);
    return {
      path: file,
      hash: createHash('sha256').update(content).digest('hex'),
      modified: statSync(file).mtime.toISOString(),
    };
  } catch {
    return null;
  }
}

export function registerHello(kinto: KintoApp): void {
  const { registry } = kinto;
  const settings = registry.settings;
  const core = settings.core;
  const config = configInfo(settings.iniPath);

  kinto.service({
    name: 'hello',
    path: '/',
    methods: {
      GET: async (request: FastifyRequest, reply) => {
        const publicSettings: Record<string, unknown> = {};
        for (const key of registry.publicSettings) publicSettings[key] = settings.get(key) ?? null;
        const data: Record<string, unknown> = {
          project_name: core.project_name,
          project_version: core.project_version || kinto.version,
          http_api_version: core.http_api_version,
          project_docs: core.project_docs,
          url: rootUrl(request, registry),
          config,
          settings: publicSettings,
        };
        if (core.eos) data.eos = core.eos;
        const identity = await kinto.authenticate(request);
        if (identity.userId) {
          const user: Record<string, unknown> = { id: identity.userId, principals: identity.principals };
          if (identity.profile) user.profile = identity.profile;
          for (const contribute of registry.userInfo) await contribute(request, user);
          data.user = user;
        }
        data.capabilities = Object.fromEntries(registry.capabilities);
        if (core.readonly) {
          reply.header('cache-control', `max-age=${core.root_cache_expires_seconds}`);
          reply.header('expires', new Date(Date.now() + core.root_cache_expires_seconds * 1000).toUTCString());
        }
        return data;
      },
    },
  });
}
