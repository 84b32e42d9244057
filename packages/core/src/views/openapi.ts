// `GET /v1/__api__` (kinto-api.md §10.4): an OpenAPI 2.0 document built from the
// services registered on this instance, so it always matches the running server.
import type { KintoApp } from '../app.js';
import { rootUrl } from '../http/hooks.js';

function swaggerPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  const converted = path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path: converted, params };
}

export function registerOpenApi(kinto: KintoApp): void {
  const { registry } = kinto;
  const core = registry.settings.core;
  kinto.service({
    name: 'openapi',
    path: '/__api__',
    methods: {
      GET: async (request) => {
        const paths: Record<string, Record<string, unknown>> = {};
        for (const service of kinto.services) {
          const { path, params } = swaggerPath(service.path);
          const entry = (paths[path] ??= {});
          for (const method of Object.keys(service.methods)) {
            entry[method.toLowerCase()] = {
              operationId: `${method.toLowerCase()}_${service.name.replace(/-/g, '_')}`,
              tags: [service.name.split('-')[0]],
              parameters: params.map((name) => ({ name, in: 'path', required: true, type: 'string' })),
              responses: { default: { description: 'Kinto response or error envelope' } },
            };
          }
        }
        const securityDefinitions: Record<string, unknown> = {};
        for (const { name } of kinto.multiauth.policies) {
          const policy = kinto.multiauth.policies.find((p) => p.name === name)!;
          const challenge = policy.policy.challenge() ?? '';
          securityDefinitions[name] =
            policy.policy.securityDefinition?.() ??
            (challenge.startsWith('Basic') ? { type: 'basic' } : { type: 'apiKey', name: 'Authorization', in: 'header' });
        }
        const root = new URL(rootUrl(request, registry));
        return {
          swagger: '2.0',
          info: { title: core.project_name, version: core.http_api_version },
          basePath: '/v1',
          host: root.host,
          schemes: [core.http_scheme ?? 'http'],
          securityDefinitions,
          tags: [...new Set(kinto.services.map((s) => s.name.split('-')[0]))].map((name) => ({ name })),
          paths,
          definitions: {
            Error: {
              type: 'object',
              required: ['code', 'errno', 'error'],
              properties: {
                code: { type: 'integer' },
                errno: { type: 'integer' },
                error: { type: 'string' },
                message: { type: 'string' },
                info: { type: 'string' },
                details: {},
              },
            },
          },
        };
      },
    },
  });
}
