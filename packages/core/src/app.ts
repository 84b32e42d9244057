// The application factory (Kinto's `kinto.core.initialize` + `includeme`):
// settings → backends → core hooks → plugins of `kinto.includes`, in order →
// authentication chain → core views → the application's own resources.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { knownIdentity, MultiAuth } from './authentication/multiauth.js';
import { basicAuthPolicy } from './authentication/basicauth.js';
import { createBackends, type Backends } from './backends.js';
import { StartupError } from './errors.js';
import { createContext, type Identity } from './http/context.js';
import { addCommonHeaders, installHooks, sendError, toKintoError } from './http/hooks.js';
import { serializeJson } from './http/json.js';
import { registerService, type ServiceDefinition } from './http/service.js';
import { defaultLogger, logSummary, summaryEnabled } from './logging.js';
import { pluginApi } from './plugins/host.js';
import { defaultBaseDirs, loadPlugin, type PluginSource } from './plugins/loader.js';
import { Registry } from './registry.js';
import type { Settings } from './settings/load.js';
import { registerBatch } from './views/batch.js';
import { registerContribute } from './views/contribute.js';
import { registerHeartbeats } from './views/heartbeat.js';
import { registerHello } from './views/hello.js';
import { registerOpenApi } from './views/openapi.js';
import { registerVersion } from './views/version.js';

export const CORE_VERSION = '0.1.0';

export interface CreateKintoOptions {
  /** Include names → plugins (Python aliases, built-ins, test plugins). */
  plugins?: Record<string, PluginSource>;
  /** The application version shown in hello (defaults to the core version). */
  version?: string;
  /** A pino logger, or false for silence (tests). Default: JSON logs on stdout at `log_level`. */
  logger?: FastifyBaseLogger | boolean;
  /** Overrides the `log_level` setting (`kinto start -q/-v`). */
  logLevel?: string;
  /** Backends already built (tests share them between servers). */
  backends?: Backends;
  /** The application's own views and resources, registered after the includes (settings.md §4.1 step 5). */
  setup?: (kinto: KintoApp) => void | Promise<void>;
  /** Runs before the includes, after the core (built-in resources other plugins rely on). */
  beforeIncludes?: (kinto: KintoApp) => void | Promise<void>;
}

export interface KintoApp {
  readonly app: FastifyInstance;
  readonly registry: Registry;
  readonly version: string;
  /** Every service registered so far (the OpenAPI document is built from them). */
  readonly services: ServiceDefinition[];
  multiauth: MultiAuth;
  service(definition: ServiceDefinition): void;
  authenticate(request: FastifyRequest): Promise<Identity>;
  listen(options?: { port?: number; host?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function createKinto(settings: Settings, options: CreateKintoOptions = {}): Promise<KintoApp> {
  const core = settings.core;
  let registryRef: Registry | undefined;
  const app = Fastify({
    ...(options.logger === false
      ? { logger: false }
      : options.logger && typeof options.logger === 'object'
        ? { loggerInstance: options.logger }
        : { loggerInstance: defaultLogger(options.logLevel ?? core.log_level, core.project_name) }),
    // Request logs are the root logger itself: a child per request (fastify's `reqId`
    // binding) cost more than the summary line; `rid` identifies requests instead.
    childLoggerFactory: (logger) => logger,
    // Our own `request.summary` line replaces fastify's request logs.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: core.max_request_body_bytes,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Bad URL encodings (`/v1/buckets/%FF`) are refused by the router before any
    // hook runs: render them in Kinto's envelope too (kinto-api.md §11.3).
    frameworkErrors: (error, request, reply) => {
      request.kinto ??= createContext(request);
      // onSend hooks do not run for router errors: add the common headers here.
      if (registryRef) addCommonHeaders(request, reply, registryRef);
      void sendError(request, reply, toKintoError(error, registryRef));
    },
    routerOptions: { maxParamLength: 10_000, ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, caseSensitive: true },
  });
  app.setReplySerializer((payload) => serializeJson(payload));
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const backends = options.backends ?? (await createBackends({ settings, log: app.log }));
  for (const backend of [backends.storage, backends.permission, backends.cache]) {
    try {
      await backend.initialize();
    } catch (error) {
      // Open pools and connections would keep a failed start-up from exiting.
      await Promise.allSettled([backends.storage.close(), backends.permission.close(), backends.cache.close()]);
      if (error instanceof StartupError) throw error;
      throw new StartupError('KINTO_ERR_BACKEND', `cannot initialise a backend: ${(error as Error).message}`, { cause: error });
    }
  }
  const registry = new Registry(settings, app.log, backends.storage, backends.permission, backends.cache);
  registryRef = registry;
  const services: ServiceDefinition[] = [];
  const version = options.version ?? CORE_VERSION;

  // Core setup (settings.md §3.14): hooks, backend heartbeats, the built-in policy.
  let multiauth: MultiAuth | undefined;
  installHooks(app, registry, () => multiauth);
  registry.addHeartbeat('storage', () => backends.storage.heartbeat());
  registry.addHeartbeat('permission', () => backends.permission.heartbeat());
  registry.addHeartbeat('cache', () => backends.cache.heartbeat());
  registry.addPolicy(
    ['kinto.core.authentication.BasicAuthAuthenticationPolicy', 'basicauth', '@kinto-ts/core/basicauth'],
    basicAuthPolicy,
  );

  const kinto: KintoApp = {
    app,
    registry,
    version,
    services,
    get multiauth() {
      if (!multiauth) throw new Error('authentication is not set up yet (after kinto.includes)');
      return multiauth;
    },
    set multiauth(value: MultiAuth) {
      multiauth = value;
    },
    service(definition) {
      services.push(definition);
      registerService(app, registry, definition);
    },
    authenticate(request) {
      return kinto.multiauth.authenticate(request);
    },
    async listen(listenOptions = {}) {
      return app.listen({ port: listenOptions.port ?? core.port, host: listenOptions.host ?? core.host });
    },
    async close() {
      await app.close();
    },
  };

  // A callback hook: an async one costs a promise and a microtask on every request.
  app.addHook('onResponse', (request, reply, done) => {
    if (!request.kinto?.subrequest && summaryEnabled(request.log)) {
      // The response is sent: an identification still pending can only be a failed or
      // abandoned one, which Kinto logs as anonymous too.
      const identity = knownIdentity(request);
      logSummary(request, reply, identity?.userId ?? null, identity?.policy ?? null);
    }
    done();
  });
  app.addHook('onClose', async () => {
    for (const hook of registry.closeHooks.reverse()) await hook();
    await Promise.allSettled([backends.storage.close(), backends.permission.close(), backends.cache.close()]);
  });

  await options.beforeIncludes?.(kinto);

  // Plugins of `kinto.includes`, in order (settings.md §4.1 step 3).
  const api = pluginApi(kinto);
  const baseDirs = defaultBaseDirs(settings.iniPath);
  for (const name of core.includes) {
    const plugin = await loadPlugin(name, { aliases: options.plugins, baseDirs });
    registry.includes.push(name);
    try {
      await plugin.includeme(api);
    } catch (error) {
      if (error instanceof StartupError) throw error;
      throw new StartupError('KINTO_ERR_PLUGIN', `plugin '${name}' failed to load: ${(error as Error).message}`, { cause: error });
    }
  }

  kinto.multiauth = await MultiAuth.build(registry);
  if (core['multiauth.policies'].includes('basicauth') && !registry.capabilities.has('basicauth')) {
    registry.addCapability('basicauth', {
      description: 'Very basic authentication sessions. Not for production use.',
      url: 'http://kinto.readthedocs.io/en/stable/api/1.x/authentication.html',
    });
  }

  // Core utility views (step 4), then the application's resources (step 5).
  registerHello(kinto);
  registerHeartbeats(kinto);
  registerVersion(kinto);
  registerContribute(kinto);
  registerBatch(kinto);
  await options.setup?.(kinto);
  registerOpenApi(kinto);
  await app.ready();
  return kinto;
}
