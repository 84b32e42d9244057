// The public API of @kinto-ts/fxa: the plugin (default export, what `kinto.includes`
// loads) and the pieces tools and tests reuse.
import { fxaPlugin } from './plugin.js';

export default fxaPlugin;
export { fxaPlugin, FXA_CONFIG_KEY, POLICY_NAMES, PLUGIN_NAME, VERSION, isFxaPolicy } from './plugin.js';
export { FXA_SETTINGS, PRODUCTION_OAUTH_URI, apiBaseOf, loadConfig, type ClientConfig, type FxaConfig, type RoutingEntry } from './config.js';
export { scopeImplies, scopeMatches, splitScopes } from './scopes.js';
export { bearerToken, routeToken } from './policy.js';
export { SafeCache } from './safe-cache.js';
export { INVALID_NAMESPACE, VERIFY_NAMESPACE } from './verifier.js';
export { STATE_COOKIE, STATE_NAMESPACE } from './relier/state.js';
export { fnmatch } from './relier/fnmatch.js';
export type { TokenProfile } from './oauth-client.js';
