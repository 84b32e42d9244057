// Builds the real kinto-ts server with the OpenID plugin for a test, closed in t.after.
import { Settings, type KintoApp } from '@kinto-ts/core';
import { createServer } from '@kinto-ts/server';
import type { FastifyBaseLogger } from 'fastify';
import type { LightMyRequestResponse } from 'fastify';
import { protectedPlugin } from './protected-plugin.js';

export interface ProviderOptions {
  issuer: string;
  client_id?: string;
  client_secret?: string;
  [option: string]: string | undefined;
}

/** Settings as an `.ini` would give them: `multiauth.policy.NAME.*` for every provider. */
export function openIdSettings(providers: Record<string, ProviderOptions>, extra: Record<string, string> = {}): Record<string, string> {
  const values: Record<string, string> = {
    includes: 'kinto.plugins.openid',
    'multiauth.policies': Object.keys(providers).join(' '),
    log_level: 'silent',
  };
  for (const [name, options] of Object.entries(providers)) {
    values[`multiauth.policy.${name}.use`] = 'kinto.plugins.openid.OpenIDConnectPolicy';
    values[`multiauth.policy.${name}.client_id`] = options.client_id ?? `client-${name}`;
    values[`multiauth.policy.${name}.client_secret`] = options.client_secret ?? `secret-${name}`;
    for (const [key, value] of Object.entries(options)) if (value !== undefined) values[`multiauth.policy.${name}.${key}`] = value;
  }
  return { ...values, ...extra };
}

export async function startKinto(
  t: { after(fn: () => unknown): void },
  values: Record<string, string>,
  options: { logger?: FastifyBaseLogger } = {},
): Promise<KintoApp> {
  const kinto = await createServer(new Settings(values, { env: {} }), {
    logger: options.logger ?? false,
    plugins: { 'test-protected': protectedPlugin },
  });
  t.after(() => kinto.close());
  return kinto;
}

export function json(response: LightMyRequestResponse): Record<string, any> {
  return JSON.parse(response.body) as Record<string, any>;
}
