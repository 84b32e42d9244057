// The process a benchmark measures: Kinto (built by `createServerFromIni` from the
// bench's `.ini`) or the bare-fastify ceiling answering fixed JSON bytes. It runs
// alone so that its RSS is its own and the load generator never shares its event
// loop. Plain JavaScript, so that a built server runs without a TypeScript loader
// (whose loader thread would add its own heap to the RSS); the spec and the
// messages are typed in server-process.ts.
import { createRequire } from 'node:module';

/** @param {unknown} message */
function send(message) {
  process.send?.(message);
}

/** @param {{ ini: string; plugins: Record<string, string> }} spec */
async function startKinto(spec) {
  const { createServerFromIni } = await import('@kinto-ts/server');
  // Settings come from the `.ini` only, never from the machine's environment (KINTO_* would skew a run).
  const kinto = await createServerFromIni(spec.ini, { env: {}, plugins: spec.plugins });
  process.once('disconnect', () => void kinto.close().finally(() => process.exit(0)));
  return kinto.listen({ port: 0, host: '127.0.0.1' });
}

/** @param {{ routes: Record<string, string> }} spec */
async function startCeiling(spec) {
  // The core's own fastify, so that the ceiling differs from Kinto only by Kinto's work.
  const fromCore = createRequire(new URL('../../packages/core/package.json', import.meta.url));
  const { default: Fastify } = await import(fromCore.resolve('fastify'));
  const app = Fastify({ logger: false });
  for (const [path, base64] of Object.entries(spec.routes)) {
    const body = Buffer.from(base64, 'base64');
    app.get(path, (_request, reply) => reply.header('content-type', 'application/json').send(body));
  }
  process.once('disconnect', () => void app.close().finally(() => process.exit(0)));
  return app.listen({ port: 0, host: '127.0.0.1' });
}

process.on('message', (message) => {
  // The parent gives `--expose-gc`: RSS after a full collection is what stays allocated.
  if (message?.type === 'gc') {
    globalThis.gc?.();
    send({ type: 'gc-done', memory: process.memoryUsage() });
  }
});

try {
  const spec = JSON.parse(process.argv[2] ?? '');
  const url = spec.kind === 'kinto' ? await startKinto(spec) : await startCeiling(spec);
  send({ type: 'listening', url });
} catch (error) {
  send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
  process.disconnect?.();
}
