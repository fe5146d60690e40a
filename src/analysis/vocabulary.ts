/**
 * What the analysis knows about the MCP SDKs and about session-dependent code, as data.
 * Code in src/analysis reads only these tables, so a renamed SDK symbol or a new idiom is a one-line change here.
 */

import type { SdkLine } from '../rules/sdk.js';
import { SERVER_REQUEST_METHODS } from '../rules/transport-state.js';

export { CONTAINER_CONSTRUCTORS, KEYED_METHODS, MUTATING_METHODS } from '../rules/containers.js';

/** A table lookup that never finds `Object.prototype` members (`toString`, `constructor`) as entries. */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The three listable primitive kinds, plus low-level request handlers. */
export type PrimitiveKind = 'tool' | 'resource' | 'prompt';

/** How a registration method lays out its arguments. */
export interface RegistrationShape {
  kind: PrimitiveKind;
  /**
   * `config`: `registerX(name, config, handler)` (resources: `registerResource(name, uriOrTemplate, config, handler)`);
   * `legacy`: `tool(name, description?, schema?, annotations?, handler)` style loose arguments.
   */
  style: 'config' | 'legacy';
  /** Config property whose presence means the handler's first parameter is the parsed arguments. */
  argsProperty?: string;
}

/** `McpServer` registration methods on both SDK lines (v2 keeps only the `register*` ones). */
export const REGISTRATION_METHODS: Readonly<Record<string, RegistrationShape>> = {
  registerTool: { kind: 'tool', style: 'config', argsProperty: 'inputSchema' },
  tool: { kind: 'tool', style: 'legacy' },
  registerPrompt: { kind: 'prompt', style: 'config', argsProperty: 'argsSchema' },
  prompt: { kind: 'prompt', style: 'legacy' },
  registerResource: { kind: 'resource', style: 'config' },
  resource: { kind: 'resource', style: 'legacy' },
};

/**
 * Frameworks whose registrations take one object (`server.addTool({ name, parameters, execute })`, FastMCP):
 * the properties holding the name, the input schema and the handler, and where the handler takes its
 * arguments and request context (FastMCP: `execute(args, context)`, `load(args, auth, context)`).
 */
export interface ObjectRegistrationShape {
  kind: PrimitiveKind;
  nameProperty: string;
  schemaProperty?: string;
  handlerProperty: string;
  argsIndex: number | undefined;
  contextIndex: number;
}

export const OBJECT_REGISTRATION_METHODS: Readonly<Record<string, ObjectRegistrationShape>> = {
  addTool: { kind: 'tool', nameProperty: 'name', schemaProperty: 'parameters', handlerProperty: 'execute', argsIndex: 0, contextIndex: 1 },
  addPrompt: { kind: 'prompt', nameProperty: 'name', handlerProperty: 'load', argsIndex: 0, contextIndex: 2 },
  addResource: { kind: 'resource', nameProperty: 'name', handlerProperty: 'load', argsIndex: undefined, contextIndex: 1 },
  addResourceTemplate: { kind: 'resource', nameProperty: 'name', handlerProperty: 'load', argsIndex: 0, contextIndex: 2 },
};

/** Low-level request handler registration (`Server.setRequestHandler(schemaOrMethod, handler)`). */
export const REQUEST_HANDLER_METHODS: readonly string[] = ['setRequestHandler'];
export const NOTIFICATION_HANDLER_METHODS: readonly string[] = ['setNotificationHandler'];

/**
 * Request methods a low-level handler can serve, by the v1 schema constant or the v2 method string.
 * `role` says what the analysis does with the handler.
 */
export type RequestRole = 'call-tool' | 'list' | 'read-resource' | 'get-prompt' | 'set-level' | 'subscribe' | 'unsubscribe' | 'initialize' | 'other';

export const REQUEST_METHODS: Readonly<Record<string, { method: string; role: RequestRole; list?: PrimitiveKind }>> = {
  CallToolRequestSchema: { method: 'tools/call', role: 'call-tool' },
  'tools/call': { method: 'tools/call', role: 'call-tool' },
  ListToolsRequestSchema: { method: 'tools/list', role: 'list', list: 'tool' },
  'tools/list': { method: 'tools/list', role: 'list', list: 'tool' },
  ListResourcesRequestSchema: { method: 'resources/list', role: 'list', list: 'resource' },
  'resources/list': { method: 'resources/list', role: 'list', list: 'resource' },
  ListResourceTemplatesRequestSchema: { method: 'resources/templates/list', role: 'list', list: 'resource' },
  'resources/templates/list': { method: 'resources/templates/list', role: 'list', list: 'resource' },
  ListPromptsRequestSchema: { method: 'prompts/list', role: 'list', list: 'prompt' },
  'prompts/list': { method: 'prompts/list', role: 'list', list: 'prompt' },
  ReadResourceRequestSchema: { method: 'resources/read', role: 'read-resource' },
  'resources/read': { method: 'resources/read', role: 'read-resource' },
  GetPromptRequestSchema: { method: 'prompts/get', role: 'get-prompt' },
  'prompts/get': { method: 'prompts/get', role: 'get-prompt' },
  SetLevelRequestSchema: { method: 'logging/setLevel', role: 'set-level' },
  'logging/setLevel': { method: 'logging/setLevel', role: 'set-level' },
  SubscribeRequestSchema: { method: 'resources/subscribe', role: 'subscribe' },
  'resources/subscribe': { method: 'resources/subscribe', role: 'subscribe' },
  UnsubscribeRequestSchema: { method: 'resources/unsubscribe', role: 'unsubscribe' },
  'resources/unsubscribe': { method: 'resources/unsubscribe', role: 'unsubscribe' },
  // A server answering initialize itself, usually to keep the client's name or capabilities.
  InitializeRequestSchema: { method: 'initialize', role: 'initialize' },
  initialize: { method: 'initialize', role: 'initialize' },
};

/** What an initialize request carries about the client, by the property it is read from. */
export const INITIALIZE_CLIENT_PROPERTIES: Readonly<Record<string, 'version' | 'capabilities'>> = {
  clientInfo: 'version',
  capabilities: 'capabilities',
};

/** Notifications whose handlers keep per-connection client context. */
export const CLIENT_NOTIFICATIONS: Readonly<Record<string, string>> = {
  RootsListChangedNotificationSchema: 'notifications/roots/list_changed',
  'notifications/roots/list_changed': 'notifications/roots/list_changed',
  InitializedNotificationSchema: 'notifications/initialized',
  'notifications/initialized': 'notifications/initialized',
};

/** SDK server classes: `new` of one of these is a server instance. */
export const SERVER_CLASSES: ReadonlyArray<{ name: string; line: SdkLine; level: 'high' | 'low' }> = [
  { name: 'McpServer', line: 'v1', level: 'high' },
  { name: 'Server', line: 'v1', level: 'low' },
  { name: 'McpServer', line: 'v2', level: 'high' },
  { name: 'Server', line: 'v2', level: 'low' },
];

/** How a transport is served. */
export type TransportKind = 'streamable-http' | 'web-standard' | 'sse' | 'stdio';

export const TRANSPORT_CLASSES: Readonly<Record<string, TransportKind>> = {
  StreamableHTTPServerTransport: 'streamable-http',
  NodeStreamableHTTPServerTransport: 'streamable-http',
  WebStandardStreamableHTTPServerTransport: 'web-standard',
  SSEServerTransport: 'sse',
  StdioServerTransport: 'stdio',
};

/**
 * Transports other packages ship around the SDK's, by the module they are imported from: `@hono/mcp`'s
 * `StreamableHTTPTransport` is the v1 SDK's web-standard transport behind `handleRequest(c)` on a Hono context.
 */
export const FRAMEWORK_TRANSPORTS: ReadonlyArray<{ module: string; name: string; kind: TransportKind }> = [{ module: '@hono/mcp', name: 'StreamableHTTPTransport', kind: 'web-standard' }];

/** Transport constructor options that belong to the session lifecycle. */
export const SESSION_OPTIONS = {
  generator: 'sessionIdGenerator',
  callbacks: ['onsessioninitialized', 'onsessionclosed'] as readonly string[],
  eventStore: 'eventStore',
} as const;

/** SDK helpers that exist only to route sessions. */
export const SESSION_ROUTING_HELPERS: readonly string[] = ['isInitializeRequest'];

/** v2 helpers that serve statelessly: their presence marks a migrated entry. */
export const STATELESS_HELPERS: readonly string[] = ['createMcpHandler', 'toNodeHandler', 'serveStdio'];

/** The session header, compared case-insensitively. */
export const SESSION_HEADER = 'mcp-session-id';

/** Properties that hold a session id on request contexts (`extra`, `ctx`) and transports. */
export const SESSION_ID_PROPERTIES: readonly string[] = ['sessionId'];

/** Names a variable or parameter carrying a session id usually has (helpers called with `extra.sessionId`). */
export const SESSION_ID_NAMES = /^(?:session_?id|sid|sessionKey|mcpSessionId|session_key|sess(?:ion)?Id)$/i;

/** Response texts servers send when routing by session fails (SL002). */
export const SESSION_ERROR_TEXT =
  /session (?:id )?(?:not found|required|expired|is required)|no valid session|invalid or missing session|invalid session|missing session|unknown session|session.*(?:does not exist|terminated)|no transport found for session|transport not found/i;

/** Keyed methods that write. */
export const KEYED_WRITES: readonly string[] = ['set', 'delete'];

/** Type names whose annotation marks a keyed container (`Record<string, X>`, `Map<string, X>`). */
export const CONTAINER_TYPES = /^(?:Map|WeakMap|Record|Set|WeakSet|Array|ReadonlyMap)\b|\[\]$|^\{\s*\[/;

/** Calls that mint fresh ids: keys derived from them make a handle store, not session state. */
export const ID_MINTERS = /^(?:randomUUID|randomBytes|uuid|uuidv4|v4|nanoid|createId|cuid|ulid|mintHandle|mint|newId|generateId|createHandle)$/;

/**
 * Tool names of "current selection" setters (P7): the tool sets what later calls act on.
 * Matched against the first word of the tool name (split on `_`, `-`, camel case); `cd`/`chdir` as any word (`ssh_cd`).
 */
export const SETTER_VERBS: readonly string[] = ['use', 'select', 'set', 'switch', 'activate', 'choose', 'change', 'focus', 'cd', 'chdir'];

/** State names that say "current selection" (P7). */
export const SELECTION_NAMES = /^(?:current|active|selected|chosen|focused)/i;

/** State names that say "who the caller is": bound to a session they make auth depend on the session (SL008). */
export const AUTH_NAMES = /auth|token|user|principal|credential|identity|account|login|apikey|api_key|bearer|session_?user|claims|scopes?$/i;

/** Names of session-keyed maps a gateway keeps to stick a session to an upstream (sticky routing). */
export const GATEWAY_NAMES = /backend|upstream|target|sticky|affinity|replica|worker|pod|node(?!s?Map)|route|origin|shard|proxy/i;

/** Client-side MCP classes whose instances a gateway keeps per session. */
export const UPSTREAM_CLASSES: readonly string[] = ['Client', 'StreamableHTTPClientTransport', 'SSEClientTransport', 'WebSocketClientTransport'];

/** Receivers that are the incoming-request response (setting the session header on them is serving, not forwarding). */
export const RESPONSE_RECEIVERS = /^(?:res|resp|response|reply|c|ctx|context|w|out)$/;

/** Methods that read the client context negotiated at initialize (SL005). */
export const CLIENT_CONTEXT_METHODS: Readonly<Record<string, 'capabilities' | 'version' | 'roots'>> = {
  getClientCapabilities: 'capabilities',
  getClientVersion: 'version',
  listRoots: 'roots',
};

/**
 * A read of the per-request envelope (2026-07-28): `ctx.mcpReq.envelope[…]` on v2, the request's
 * `_meta['io.modelcontextprotocol/…']` on v1. An accessor after `??` such a read is only the fallback.
 */
export const ENVELOPE_READ = /\b(envelope|_meta)\b[\s\S]*(io\.modelcontextprotocol\/|_META_KEY\b)/;

/**
 * Any read of what the current request carries (`ctx.mcpReq.envelope`, `extra._meta`), named key or not
 * (`envelopeClientInfo(ctx.mcpReq.envelope)`). A value cached at initialize that is only read behind such a read
 * (`fromRequest ?? cached`) serves 2025-era clients alone. Looser than ENVELOPE_READ, which looks at the read beside
 * an accessor call and so wants the key too.
 */
export const PER_REQUEST_READ = /\benvelope\b|\b_meta\b|\bmcpReq\b/;

/** The low-level server callback fired after initialize. */
export const INITIALIZED_CALLBACK = 'oninitialized';

/** Methods on a registered tool/prompt/resource handle that change what the list shows. */
export const TOGGLE_METHODS: readonly string[] = ['enable', 'disable', 'update', 'remove'];

/** Calls that tell clients to refetch a list. */
export const LIST_CHANGED_SENDERS: Readonly<Record<string, PrimitiveKind>> = {
  sendToolListChanged: 'tool',
  sendPromptListChanged: 'prompt',
  sendResourceListChanged: 'resource',
};

/** The same notifications sent by hand with `notification({ method })`. */
export const LIST_CHANGED_NOTIFICATIONS: Readonly<Record<string, PrimitiveKind>> = {
  'notifications/tools/list_changed': 'tool',
  'notifications/prompts/list_changed': 'prompt',
  'notifications/resources/list_changed': 'resource',
};

/** HTTP frameworks' route methods: `app.get('/mcp', …)`, `router.delete(…)`. */
export const ROUTE_METHODS: Readonly<Record<string, 'GET' | 'POST' | 'DELETE' | 'ALL'>> = {
  get: 'GET',
  post: 'POST',
  delete: 'DELETE',
  all: 'ALL',
};

/** Names a context parameter usually has when position alone cannot tell. */
export const CONTEXT_PARAM_NAMES = /^(?:extra|ctx|context|requestExtra|handlerExtra|meta|_extra|_ctx)$/;

/**
 * The pre-filter: a file that matches none of these words is never parsed unless a parsed file imports it.
 * Broad on purpose; precision comes from the AST.
 */
export const ANALYSIS_VOCABULARY =
  /@modelcontextprotocol\/|McpServer|sessionId|mcp-session-id|sessionIdGenerator|registerTool|setRequestHandler|\.tool\(|\.resource\(|\.prompt\(|Transport\b|fastmcp/i;

/** Callbacks on transports and servers that run outside any tool call but still see requests. */
export const LIFECYCLE_CALLBACKS: readonly string[] = ['onclose', 'onerror', INITIALIZED_CALLBACK];

/** Methods that send a notification by hand (`server.notification({ method })`). */
export const NOTIFICATION_SENDERS: readonly string[] = ['notification', 'sendNotification', 'notify'];

/** Call names worth wrapping in the one walk over each file (see context.ts): every name a pass reads calls for. */
export const CALL_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(REGISTRATION_METHODS),
  ...Object.keys(OBJECT_REGISTRATION_METHODS),
  ...REQUEST_HANDLER_METHODS,
  ...NOTIFICATION_HANDLER_METHODS,
  ...SESSION_ROUTING_HELPERS,
  ...STATELESS_HELPERS,
  ...Object.keys(LIST_CHANGED_SENDERS),
  ...NOTIFICATION_SENDERS,
  ...TOGGLE_METHODS,
  ...Object.keys(CLIENT_CONTEXT_METHODS),
  ...SERVER_REQUEST_METHODS,
  'setHeader',
  'getHeader',
  'header',
  'append',
]);

/** Generic call names that matter only with a session-header or route-path first argument (`req.get('mcp-session-id')`, `app.get('/mcp', …)`). */
export const ARGUMENT_CALL_NAMES: ReadonlySet<string> = new Set(['get', 'set', 'post', 'delete', 'all', 'header', 'getHeader', 'setHeader', 'append']);

