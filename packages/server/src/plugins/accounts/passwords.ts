// Account passwords (kinto-api.md B4): bcrypt hashes, as Kinto stores them, so a
// database shared with Python Kinto keeps working. bcryptjs is pure JavaScript
// (no native build on Node 20) and reads `$2a$`/`$2b$` hashes written by Python.
import bcrypt from 'bcryptjs';

/** Python's `bcrypt.gensalt()` default. */
export const DEFAULT_ROUNDS = 12;

/**
 * bcrypt only reads the first 72 bytes of a password. kinto-ts refuses longer ones
 * instead of silently ignoring the rest (Python's bcrypt 5 raises on them, a 500).
 */
export const MAX_PASSWORD_BYTES = 72;

export function passwordTooLong(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES;
}

export function hashPassword(password: string, rounds = DEFAULT_ROUNDS): Promise<string> {
  return bcrypt.hash(password, rounds);
}

/** False for a wrong password, an over-long one, or a stored value that is not a bcrypt hash. */
export async function verifyPassword(password: string, hash: unknown): Promise<boolean> {
  if (typeof hash !== 'string' || passwordTooLong(password)) return false;
  try {
    return await bcrypt.compare(password, hash);
  } catch {
    return false;
  }
}
