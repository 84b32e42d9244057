// The public API of @kinto-ts/openid.
import { openIdPlugin } from './plugin.js';

export default openIdPlugin;
export { CAPABILITY, openIdPlugin } from './plugin.js';
export { getUserProfile, type UserProfile } from './profile.js';
export { POLICY_NAMES, type ProviderSettings } from './settings.js';
export { verificationDigest } from './verification-cache.js';
export { encodeTokens, STATE_COOKIE, stateBinding } from './state.js';
export { jwksTiming } from './jwt.js';
