import { INITIALIZED_CALLBACK } from '../analysis/vocabulary.js';

/**
 * Per-request context on the 2026-07-28 revision (SL005): what used to be learned once per connection
 * and what each request now carries in its `_meta` envelope. The per-request-context transform reads
 * only these tables.
 */

/** A value servers used to cache at initialize, and how to read it per request on v2. */
export interface EnvelopeValue {
  /** Exported constant naming the envelope key in `@modelcontextprotocol/server`. */
  metaKey: string;
  /** Its type, exported from `@modelcontextprotocol/server`. */
  type: string;
  /** Name of the helper written into the migrated file. */
  helper: string;
  /** Deprecated accessor the helper falls back to for 2025-era connections, if any. */
  fallback?: string;
  /** What it is, for comments and markers. */
  what: string;
}

/** `Server` accessors whose value the 2026-07-28 revision sends with every request. */
export const CLIENT_ACCESSORS: Readonly<Record<string, EnvelopeValue>> = {
  getClientCapabilities: {
    metaKey: 'CLIENT_CAPABILITIES_META_KEY',
    type: 'ClientCapabilities',
    helper: 'requestClientCapabilities',
    fallback: 'getClientCapabilities',
    what: 'client capabilities',
  },
  getClientVersion: {
    metaKey: 'CLIENT_INFO_META_KEY',
    type: 'Implementation',
    helper: 'requestClientInfo',
    fallback: 'getClientVersion',
    what: 'client name and version',
  },
};

/** The log level a 2026-07-28 request asks for (replaces `logging/setLevel` per session). */
export const LOG_LEVEL: EnvelopeValue = {
  metaKey: 'LOG_LEVEL_META_KEY',
  type: 'LoggingLevel',
  helper: 'requestLogLevel',
  what: 'log level',
};

/** Module the v2 helpers import from. */
export const V2_SERVER_MODULE = '@modelcontextprotocol/server';

/** Hooks that run once per connection. */
export const CONNECTION_HOOKS: readonly string[] = [INITIALIZED_CALLBACK];

/** Server→client request that used to be made once per connection. */
export const ROOTS_METHOD = 'listRoots';

export const SUBSCRIBE_METHODS: readonly string[] = ['resources/subscribe', 'resources/unsubscribe'];
export const RESOURCE_UPDATED_SENDER = 'sendResourceUpdated';
export const RESOURCE_UPDATED_NOTIFICATION = 'notifications/resources/updated';
/** The v2 serving entry whose `notify` publishes to `subscriptions/listen` streams. */
export const HANDLER_FACTORY = 'createMcpHandler';

export const CONTEXT_MARKERS = {
  cachedV1: (what: string) =>
    `${what} cached once per connection; on 2026-07-28 every request carries them in its _meta envelope and nothing spans requests: read them in the handler that needs them (after moving to the v2 SDK: ctx.mcpReq.envelope)`,
  cachedRead: (what: string, name: string) =>
    `${name} holds ${what} from the connection's initialize and is read outside a request handler; on 2026-07-28 read them per request from ctx.mcpReq.envelope where they are used`,
  cachedShape: (what: string) =>
    `${what} read once per connection; on 2026-07-28 every request carries them in ctx.mcpReq.envelope: read them in the handler that needs them`,
  logLevelV1: () =>
    'logging/setLevel stored per connection; on 2026-07-28 each request carries its log level in the _meta envelope: after moving to the v2 SDK log with ctx.mcpReq.log(level, data), which filters per request',
  logLevelRead: (name: string) =>
    `${name} is set by logging/setLevel and read outside a request handler; on 2026-07-28 each request carries its level: log with ctx.mcpReq.log(level, data) from the handler, which filters per request`,
  roots: () =>
    'roots fetched once per connection; 2026-07-28 has no server-to-client requests: take paths as tool arguments or ask from the tool with inputRequired.listRoots()',
  subscriptionsV1: () =>
    'resource subscriptions tracked per session; 2026-07-28 clients subscribe with subscriptions/listen and the server publishes with handler.notify.resourceUpdated(uri) from createMcpHandler (v2 SDK)',
  subscriptionsNoHandler: () =>
    'resource subscriptions tracked per session; serve with createMcpHandler and publish updates with handler.notify.resourceUpdated(uri): clients subscribe with subscriptions/listen',
  subscriptionsShape: () =>
    'resource updates are sent to tracked sessions in a way this tool cannot follow; publish them with handler.notify.resourceUpdated(uri) from createMcpHandler instead',
} as const;
