// `/__heartbeat__` and `/__lbheartbeat__` (kinto-api.md §10.2): every registered
// check runs concurrently, each bounded by `heartbeat_timeout_seconds`; a check that
// throws or hangs is false, never a hung request.
import type { KintoApp } from '../app.js';
import type { HeartbeatCheck } from '../registry.js';

export async function runCheck(check: HeartbeatCheck, timeoutMs: number): Promise<boolean | null> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(false);
    }, timeoutMs);
  });
  try {
    const result = await Promise.race([Promise.resolve().then(() => check(controller.signal)), timeout]);
    return result === null ? null : result === true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export function registerHeartbeats(kinto: KintoApp): void {
  const { registry } = kinto;
  kinto.service({
    name: 'heartbeat',
    path: '/__heartbeat__',
    methods: {
      GET: async (_request, reply) => {
        const timeoutMs = registry.settings.core.heartbeat_timeout_seconds * 1000;
        const entries = [...registry.heartbeats.entries()];
        const results = await Promise.all(entries.map(([, check]) => runCheck(check, timeoutMs)));
        const body = Object.fromEntries(entries.map(([name], i) => [name, results[i]]));
        reply.code(results.includes(false) ? 503 : 200);
        return body;
      },
    },
  });
  kinto.service({
    name: 'lbheartbeat',
    path: '/__lbheartbeat__',
    methods: { GET: async () => ({}) },
  });
}
