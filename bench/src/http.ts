// Plain requests for setting a scenario up (seeding, priming caches); the load
// itself goes through autocannon.
export const BASIC = `Basic ${Buffer.from('bench:bench-password').toString('base64')}`;

export interface Answer {
  status: number;
  body: unknown;
  bytes: Buffer;
}

export async function request(base: string, method: string, path: string, options: { authorization?: string; body?: unknown } = {}): Promise<Answer> {
  const response = await fetch(new URL(path, base), {
    method,
    headers: {
      ...(options.authorization ? { authorization: options.authorization } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  let body: unknown = null;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    // Not JSON: the caller looks at the status.
  }
  return { status: response.status, body, bytes };
}

/** A request that must succeed with one of `expected`; anything else stops the scenario with the answer. */
export async function expectStatus(base: string, method: string, path: string, expected: number[], options: { authorization?: string; body?: unknown } = {}): Promise<Answer> {
  const answer = await request(base, method, path, options);
  if (!expected.includes(answer.status)) {
    throw new Error(`${method} ${path} answered ${answer.status}: ${answer.bytes.toString('utf8').slice(0, 300)}`);
  }
  return answer;
}
