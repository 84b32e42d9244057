// The user profile (openid.md §9, Kinto's `request.get_user_profile()`): the
// userinfo of the OpenID provider that authenticated the request, `{}` otherwise.
import type { FastifyRequest } from 'fastify';

export type UserProfile = Record<string, unknown>;

declare module 'fastify' {
  interface FastifyRequest {
    /** Present when at least one OpenID provider is enabled; prefer `getUserProfile(request)`. */
    openidUserProfile?: () => Promise<UserProfile>;
  }
}

/**
 * The OpenID userinfo of the request's user, for routes and other plugins;
 * `{}` for anonymous requests, users of other policies, or without the plugin.
 */
export async function getUserProfile(request: FastifyRequest): Promise<UserProfile> {
  return typeof request.openidUserProfile === 'function' ? request.openidUserProfile() : {};
}
