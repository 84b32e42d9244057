// Raised by the admin plugin, read by the application when it registers `/permissions`
// (kinto-api.md §10.6): the Kinto Admin UI needs that endpoint. A separate module so
// that the application does not load the static file server unless the plugin is used.
export const PERMISSIONS_ENDPOINT_FLAG = 'kinto-ts:permissions-endpoint';
