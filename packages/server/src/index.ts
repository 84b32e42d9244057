// The public API of @kinto-ts/server.
export { createServer, createServerFromIni, type ServerOptions } from './app.js';
export { PLUGIN_ALIASES } from './aliases.js';
export { VERSION } from './version.js';
export { defaultBucketId } from './plugins/default-bucket.js';
