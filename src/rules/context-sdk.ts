import { INITIALIZED_CALLBACK } from '../analysis/vocabulary.js';
import type { SdkLine } from './sdk.js';

/**
 * Per-request context on the 2026-07-28 revision (SL005): what used to be learned once per connection
 * and what each request now carries in its `_meta` envelope. The per-request-context transform reads
 * only these tables.
 */

/** A value servers used to cache at initialize, and how to read it per request on v2. */
export interface EnvelopeValue {
  /** Exported constant naming the envelope key in `@modelcontextprotocol/server`. */
  metaKey: string;
  /** The key itself, as it travels in a request's `params._meta` (v1 has no constant for it). */
  wireKey: string;
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
    wireKey: 'io.modelcontextprotocol/clientCapabilities',
    type: 'ClientCapabilities',
    helper: 'requestClientCapabilities',
    fallback: 'getClientCapabilities',
    what: 'client capabilities',
  },
  getClientVersion: {
    metaKey: 'CLIENT_INFO_META_KEY',
    wireKey: 'io.modelcontextprotocol/clientInfo',
    type: 'Implementation',
    helper: 'requestClientInfo',
    fallback: 'getClientVersion',
    what: 'client name and version',
  },
};

/** The log level a 2026-07-28 request asks for (replaces `logging/setLevel` per session). */
/**
 * Whether a marker or finding is about fetching the client's roots (one decision per file: where the paths come
 * from). Client capabilities read to decide whether to ask are a decision of their own.
 */
export function isAboutRoots(message: string): boolean {
  return /^(?:roots\b|listRoots\(\))/.test(message);
}

/** Whether a marker about something else already says that roots cannot be asked for (`listRoots()` …). */
export function mentionsRoots(message: string): boolean {
  return /listRoots\(\)/.test(message);
}

/** What a roots marker adds when it speaks for the other places of its file that ask for roots. */
export function rootsTogether(others: number): string {
  return `one decision with the ${others === 1 ? 'other place in this file that asks' : `${others} other places in this file that ask`} the client for its roots`;
}

/** The notification a log message travels as (`notifications/message`). */
export const LOG_NOTIFICATION = 'notifications/message';

export const LOG_LEVEL: EnvelopeValue = {
  metaKey: 'LOG_LEVEL_META_KEY',
  wireKey: 'io.modelcontextprotocol/logLevel',
  type: 'LoggingLevel',
  helper: 'requestLogLevel',
  what: 'log level',
};

/** Module the v2 helpers import from. */
export const V2_SERVER_MODULE = '@modelcontextprotocol/server';
/** Module the v1 helpers take their types from. */
export const V1_TYPES_MODULE = '@modelcontextprotocol/sdk/types.js';

/**
 * How a handler reaches its request on each SDK line, for the helpers written into migrated files:
 * v2 handlers get `ctx` (the envelope is `ctx.mcpReq.envelope`), v1 handlers get `extra`, whose `_meta`
 * is the request's `params._meta`, where a 2026-07-28 client puts the same values.
 */
export const REQUEST_CONTEXT = {
  v1: { parameter: 'extra', alternative: 'requestExtra', type: '{ _meta?: Record<string, unknown> }' },
  v2: { parameter: 'ctx', alternative: 'requestCtx', type: 'ServerContext' },
} as const;

/** Hooks that run once per connection. */
export const CONNECTION_HOOKS: readonly string[] = [INITIALIZED_CALLBACK];

/**
 * Server-to-client requests of the 2025 revisions. 2026-07-28 has none: a tool asks for input by
 * returning inputRequired instead.
 */
export const SERVER_TO_CLIENT_REQUESTS: readonly string[] = ['elicitInput', 'createMessage', 'listRoots'];

/** What a marker adds when the code around a read makes server-to-client requests. */
function serverRequestNote(methods: readonly string[]): string {
  if (methods.length === 0) return '';
  const named = methods.map((m) => `${m}()`).join(', ');
  return `; ${named} ${methods.length === 1 ? 'is a server-to-client request' : 'are server-to-client requests'} 2026-07-28 does not have: ask from the tool by returning inputRequired instead`;
}

/** Server→client request that used to be made once per connection. */
export const ROOTS_METHOD = 'listRoots';
/** The notification a 2025 client sends when its roots change, by v1 schema constant or method. */
export const ROOTS_LIST_CHANGED: readonly string[] = ['RootsListChangedNotificationSchema', 'notifications/roots/list_changed'];

export const SUBSCRIBE_METHODS: readonly string[] = ['resources/subscribe', 'resources/unsubscribe'];
export const RESOURCE_UPDATED_SENDER = 'sendResourceUpdated';
export const RESOURCE_UPDATED_NOTIFICATION = 'notifications/resources/updated';
/** The v2 serving entry whose `notify` publishes to `subscriptions/listen` streams. */
export const HANDLER_FACTORY = 'createMcpHandler';

/** Where a handler finds a value per request on each SDK line, for markers. */
function perRequestSource(value: EnvelopeValue, sdk: SdkLine): string {
  return sdk === 'v2'
    ? `ctx.mcpReq.envelope (${value.metaKey})`
    : `extra._meta['${value.wireKey}'] (the request's params._meta)${value.fallback ? `, falling back to ${value.fallback}() for 2025-era clients` : ''}`;
}

export const CONTEXT_MARKERS = {
  cachedRead: (value: EnvelopeValue, name: string, sdk: SdkLine) =>
    `${name} holds ${value.what} from the connection's initialize and is read outside a request handler; 2026-07-28 clients send no initialize: read them where they are used, per request, from ${perRequestSource(value, sdk)}`,
  cachedShape: (value: EnvelopeValue, sdk: SdkLine, place: { hook: boolean; handler?: boolean; copiedTo?: string }, serverRequests: readonly string[] = []) =>
    (place.handler
      ? `${value.what} read in a handler through ${value.fallback ?? 'the accessor'}(), which answers from the connection's initialize (2026-07-28 clients send none), and the handler's context parameter is destructured: read them from ${perRequestSource(value, sdk)}`
      : place.copiedTo
      ? `${value.what} copied into ${place.copiedTo} once per connection (oninitialized), which 2026-07-28 clients never trigger: set or pass them from the request handler whose work reads them, from ${perRequestSource(value, sdk)}`
      : place.hook
        ? `${value.what} read in oninitialized, which 2026-07-28 clients never trigger (they send no initialize): read them in the request handlers that need them, from ${perRequestSource(value, sdk)}`
        : `${value.what} read outside a request handler, where ${value.fallback ?? 'the accessor'}() answers from the connection's initialize (2026-07-28 clients send none): give this code the handler's ${sdk === 'v2' ? 'ctx' : 'extra'} and read them from ${perRequestSource(value, sdk)}`) +
    serverRequestNote(serverRequests),
  logLevelV1: () =>
    `logging/setLevel stored per connection; on 2026-07-28 each request carries its log level in params._meta['${LOG_LEVEL.wireKey}'] instead: where a handler logs, prefer the request's level (extra._meta) and keep this store only as the level of 2025-era clients; after moving to the v2 SDK log with ctx.mcpReq.log(level, data), which filters per request`,
  logLevelRead: (name: string) =>
    `${name} is set by logging/setLevel and read outside a request handler; on 2026-07-28 each request carries its level: log with ctx.mcpReq.log(level, data) from the handler, which filters per request`,
  roots: (keptIn?: string) =>
    `roots fetched once per connection${keptIn ? ` and kept in \`${keptIn}\`, whose entries every client shares once requests carry no session id` : ''}; 2026-07-28 has no server-to-client requests: take paths as tool arguments or ask from the tool with inputRequired.listRoots()`,
  rootsListChanged: () =>
    'roots/list_changed handled per connection to refresh the roots kept for it; 2026-07-28 clients send no such notification and the server cannot ask for roots: take paths as tool arguments or ask from the tool with inputRequired.listRoots()',
  subscriptionsV1: () =>
    'resource subscriptions tracked per session; 2026-07-28 clients subscribe with subscriptions/listen and the server publishes with handler.notify.resourceUpdated(uri) from createMcpHandler (v2 SDK)',
  subscriptionsNoHandler: () =>
    'resource subscriptions tracked per session; serve with createMcpHandler and publish updates with handler.notify.resourceUpdated(uri): clients subscribe with subscriptions/listen',
  subscriptionsShape: () =>
    'resource updates are sent to tracked sessions in a way this tool cannot follow; publish them with handler.notify.resourceUpdated(uri) from createMcpHandler instead',
} as const;

/** What a timer's callback sends the client, by the calls it makes (first match wins). */
export const PUSH_SENDS: ReadonlyArray<{ sends: 'log messages' | 'resource updates' | 'notifications'; pattern: RegExp }> = [
  { sends: 'log messages', pattern: /\bsendLoggingMessage\b|['"`]notifications\/message['"`]/ },
  { sends: 'resource updates', pattern: /\bsendResourceUpdated\b|['"`]notifications\/resources\/updated['"`]/ },
  { sends: 'notifications', pattern: /\bsend\w*ListChanged\b|\.notification\(|\bsendNotification\(/ },
];

/** Timer starters whose first argument runs later, outside the request that started it. */
export const TIMER_STARTERS: readonly string[] = ['setInterval', 'setTimeout'];

/** The decision group of state that keeps the roots a client listed (decided with the roots requests). */
export const ROOTS_GROUP = 'roots';
