// The PluginApi of an application: what plugins (and resources) receive.
import type { FastifyPluginAsync } from 'fastify';
import type { KintoApp } from '../app.js';
import type { PluginApi } from './api.js';

export function pluginApi(kinto: KintoApp): PluginApi {
  const { registry, app } = kinto;
  return {
    settings: registry.settings,
    log: registry.log,
    storage: registry.storage,
    permission: registry.permission,
    cache: registry.cache,
    events: registry.events,
    includes: registry.includes,
    version: kinto.version,
    defineSettings: (spec) => registry.settings.define(spec),
    setDefaults: (defaults) => registry.settings.setDefaults(defaults),
    addPolicy: (names, factory) => registry.addPolicy(Array.isArray(names) ? names : [names], factory),
    addCapability: (id, capability) => registry.addCapability(id, capability),
    addHeartbeat: (name, check) => registry.addHeartbeat(name, check),
    addPublicSetting: (key) => void registry.publicSettings.add(key),
    addUserInfo: (contributor) => void registry.userInfo.push(contributor),
    service: (definition) => kinto.service(definition),
    routes: (plugin: FastifyPluginAsync) => void app.register(plugin, { prefix: '/v1' }),
    authenticate: (request) => kinto.authenticate(request),
    challenges: () => kinto.multiauth.challenges(),
    provide: (key, value) => void registry.extras.set(key, value),
    lookup: <T>(key: string) => registry.extras.get(key) as T | undefined,
    onClose: (hook) => void registry.closeHooks.push(hook),
  };
}
